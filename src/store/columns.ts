// What the history stores: every column of every kind of device, with its stats key, how it is
// stored and in which unit. This list is the one definition; schema.sql (tables, key_map rows,
// views) is generated from it by `npm run schema` and test/store/schema.ts keeps the two equal.
//
// Three ways to store a value:
//   counter   — ever-growing (bytes, requests, ns of CPU): raw rows hold the increase per tick,
//               rollups the exact increase per bucket and, for the busy ones (`peak`), the highest
//               per-second rate;
//   gauge     — a level sampled every tick (RSS, free memory): raw rows hold the change since the
//               device's previous row, rollups the mean and one extreme (`low` gauges keep the
//               minimum, the others the maximum);
//   attribute — a level that rarely changes (state, capacity, maximum memory, vCPU counts): kept
//               only as a log of its changes (table `attribute`), never per tick.
// `scale`: the stored integer times scale is the value in `unit`. Every source domstat reads gives
// such a column's values in whole multiples of it (vCPU times are clock ticks of 10 ms, disk
// times whole ms, disk bytes whole sectors), so dividing keeps them exact and smaller.

import type { ColumnType, Kind, RowColumn } from '../sample/row-map.js';
import { NS_PER_MS, NS_PER_TICK, NS_PER_US, SECTOR_BYTES } from '../kernel/units.js';

export interface ColumnSpec extends RowColumn {
  unit: string;
  scale: number;
  /** Counters: rollups keep the peak rate. Gauges: 'low' keeps the minimum instead of the maximum. */
  peak?: boolean;
  low?: boolean;
  origin: 'libvirt' | 'domstat';
  note: string;
}

type Spec = Omit<ColumnSpec, 'kind' | 'origin' | 'scale'> & { origin?: 'domstat'; scale?: number };
const of = (kind: Kind, specs: Spec[]): ColumnSpec[] => specs.map((s) => ({ origin: 'libvirt', scale: 1, ...s, kind }));
const ioCounter = (name: string, unit: string): Spec => ({
  col: `io_${name}`,
  key: `extra.io.${name}`,
  type: 'counter',
  unit,
  origin: 'domstat',
  note: `/proc/<pid>/io ${name} of the QEMU process`,
});
const cpuTicks = (name: string): Spec => ({
  col: `cpu_${name}`,
  key: `host.cpu.${name}`,
  type: 'counter',
  unit: 'ns',
  scale: NS_PER_TICK,
  origin: 'domstat',
  note: `/proc/stat ${name}`,
});
const hostMem = (col: string, key: string, type: ColumnType, low: boolean, note: string): Spec => ({
  col,
  key: `host.${key}`,
  type,
  unit: 'KiB',
  origin: 'domstat',
  note,
  ...(low ? { low: true } : {}),
});

/** domstat's cgroup groups: columns of domstat's own. */
const own = (col: string, key: string, type: ColumnType, unit: string, note: string, scale = 1): Spec => ({
  col,
  key,
  type,
  unit,
  origin: 'domstat',
  note,
  scale,
});
const pressure = (r: string, line: 'some' | 'full'): Spec =>
  own(
    `psi_${r}_${line}`,
    `pressure.${r}.${line}.time`,
    'counter',
    'ns',
    `${r}.pressure ${line} total: time ${line === 'some' ? 'some' : 'all'} of the VM's tasks stalled on ${r}`,
    NS_PER_US,
  );
const cgMem = (name: string, type: ColumnType, unit: string, note: string): Spec =>
  own(`mem_${name.replace(/\./g, '_')}`, `cgroup.memory.${name}`, type, unit, note);

export const COLUMNS: readonly ColumnSpec[] = [
  ...of('domain', [
    {
      col: 'domid',
      key: 'extra.domid',
      type: 'attribute',
      unit: 'id',
      origin: 'domstat',
      note: 'domain id while running (a change means a restart: counters start again)',
    },
    { col: 'state', key: 'state.state', type: 'attribute', unit: 'enum', note: 'virDomainState' },
    { col: 'reason', key: 'state.reason', type: 'attribute', unit: 'enum', note: 'state reason' },
    { col: 'cpu_time', key: 'cpu.time', type: 'counter', unit: 'ns', peak: true, note: 'CPU time of the domain' },
    { col: 'cpu_user', key: 'cpu.user', type: 'counter', unit: 'ns', scale: NS_PER_US, note: 'user CPU time' },
    { col: 'cpu_system', key: 'cpu.system', type: 'counter', unit: 'ns', scale: NS_PER_US, note: 'system CPU time' },
    { col: 'balloon_current', key: 'balloon.current', type: 'attribute', unit: 'KiB', note: 'current balloon' },
    { col: 'balloon_maximum', key: 'balloon.maximum', type: 'attribute', unit: 'KiB', note: 'maximum balloon' },
    { col: 'balloon_rss', key: 'balloon.rss', type: 'gauge', unit: 'KiB', note: 'resident set size of the QEMU process' },
    { col: 'vcpu_current', key: 'vcpu.current', type: 'attribute', unit: 'count', note: 'online vCPUs' },
    { col: 'vcpu_maximum', key: 'vcpu.maximum', type: 'attribute', unit: 'count', note: 'maximum vCPUs' },
    ioCounter('rchar', 'bytes'),
    ioCounter('wchar', 'bytes'),
    ioCounter('syscr', 'count'),
    ioCounter('syscw', 'count'),
    ioCounter('read_bytes', 'bytes'),
    ioCounter('write_bytes', 'bytes'),
    ioCounter('cancelled_write_bytes', 'bytes'),
    ...['cpu', 'memory', 'io'].flatMap((r) => [pressure(r, 'some'), pressure(r, 'full')]),
    // Of cgroup memory and throttling, the store keeps what says the most per byte (domstats has the rest):
    // 100 domains at the defaults must still fit the 4 GiB cap.
    cgMem('current', 'gauge', 'bytes', 'v2 memory.current, v1 memory.usage_in_bytes'),
    cgMem('swap', 'gauge', 'bytes', 'v2 memory.swap.current, v1 memory.stat total_swap'),
    cgMem('events.oom_kill', 'counter', 'count', 'v2 memory.events oom_kill, v1 memory.oom_control oom_kill'),
    own('cpu_throttled_time', 'cgroup.cpu.throttled.time', 'counter', 'ns', 'cpu.stat throttled_usec (v2) or throttled_time (v1)'),
  ]),
  ...of('vcpu', [
    { col: 'state', key: 'vcpu.{i}.state', type: 'attribute', unit: 'enum', note: 'virVcpuState' },
    { col: 'time', key: 'vcpu.{i}.time', type: 'counter', unit: 'ns', scale: NS_PER_TICK, note: 'CPU time of the vCPU thread' },
    { col: 'wait', key: 'vcpu.{i}.wait', type: 'counter', unit: 'ns', note: 'time waiting for a host CPU (schedstats)' },
    { col: 'delay', key: 'vcpu.{i}.delay', type: 'counter', unit: 'ns', note: 'run-queue delay (schedstat)' },
  ]),
  ...of('net', [
    { col: 'rx_bytes', key: 'net.{i}.rx.bytes', type: 'counter', unit: 'bytes', peak: true, note: 'bytes received by the guest' },
    { col: 'rx_pkts', key: 'net.{i}.rx.pkts', type: 'counter', unit: 'packets', note: '' },
    { col: 'rx_errs', key: 'net.{i}.rx.errs', type: 'counter', unit: 'packets', note: '' },
    { col: 'rx_drop', key: 'net.{i}.rx.drop', type: 'counter', unit: 'packets', note: '' },
    { col: 'tx_bytes', key: 'net.{i}.tx.bytes', type: 'counter', unit: 'bytes', peak: true, note: 'bytes sent by the guest' },
    { col: 'tx_pkts', key: 'net.{i}.tx.pkts', type: 'counter', unit: 'packets', note: '' },
    { col: 'tx_errs', key: 'net.{i}.tx.errs', type: 'counter', unit: 'packets', note: '' },
    { col: 'tx_drop', key: 'net.{i}.tx.drop', type: 'counter', unit: 'packets', note: '' },
  ]),
  ...of('block', [
    { col: 'rd_reqs', key: 'block.{i}.rd.reqs', type: 'counter', unit: 'requests', note: '' },
    { col: 'rd_bytes', key: 'block.{i}.rd.bytes', type: 'counter', unit: 'bytes', scale: SECTOR_BYTES, peak: true, note: '' },
    { col: 'rd_times', key: 'block.{i}.rd.times', type: 'counter', unit: 'ns', scale: NS_PER_MS, note: '' },
    { col: 'wr_reqs', key: 'block.{i}.wr.reqs', type: 'counter', unit: 'requests', note: '' },
    { col: 'wr_bytes', key: 'block.{i}.wr.bytes', type: 'counter', unit: 'bytes', scale: SECTOR_BYTES, peak: true, note: '' },
    { col: 'wr_times', key: 'block.{i}.wr.times', type: 'counter', unit: 'ns', scale: NS_PER_MS, note: '' },
    { col: 'fl_reqs', key: 'block.{i}.fl.reqs', type: 'counter', unit: 'requests', note: '' },
    { col: 'fl_times', key: 'block.{i}.fl.times', type: 'counter', unit: 'ns', scale: NS_PER_MS, note: '' },
    { col: 'errors', key: 'block.{i}.errors', type: 'counter', unit: 'requests', note: 'Xen oo_req' },
    { col: 'discard_reqs', key: 'extra.block.{i}.discard.reqs', type: 'counter', unit: 'requests', origin: 'domstat', note: 'Xen ds_req' },
    { col: 'allocation', key: 'block.{i}.allocation', type: 'attribute', unit: 'bytes', note: '' },
    { col: 'capacity', key: 'block.{i}.capacity', type: 'attribute', unit: 'bytes', note: '' },
    { col: 'physical', key: 'block.{i}.physical', type: 'attribute', unit: 'bytes', note: '' },
  ]),
  // domstat's per-device cgroup kinds: I/O of the VM's cgroup per host block device (a device's
  // row appears once it has seen I/O; its name is the kernel's, or MAJ:MIN when that is gone), and
  // its memory per NUMA node (v2 bytes; v1 pages × 4096).
  ...of('cgroup_io', [
    own('rd_bytes', 'cgroup.io.{i}.rd.bytes', 'counter', 'bytes', 'v2 io.stat rbytes, v1 blkio.throttle.io_service_bytes Read'),
    own('wr_bytes', 'cgroup.io.{i}.wr.bytes', 'counter', 'bytes', 'v2 io.stat wbytes, v1 blkio.throttle.io_service_bytes Write'),
    own('rd_reqs', 'cgroup.io.{i}.rd.reqs', 'counter', 'requests', 'v2 io.stat rios, v1 blkio.throttle.io_serviced Read'),
    own('wr_reqs', 'cgroup.io.{i}.wr.reqs', 'counter', 'requests', 'v2 io.stat wios, v1 blkio.throttle.io_serviced Write'),
    own('dc_bytes', 'cgroup.io.{i}.dc.bytes', 'counter', 'bytes', 'v2 io.stat dbytes, v1 blkio.throttle.io_service_bytes Discard'),
    own('dc_reqs', 'cgroup.io.{i}.dc.reqs', 'counter', 'requests', 'v2 io.stat dios, v1 blkio.throttle.io_serviced Discard'),
  ]),
  ...of('numa', [
    own('anon', 'cgroup.numa.{i}.anon', 'gauge', 'bytes', 'memory.numa_stat anon (v1 hierarchical_anon pages × 4096) on the node'),
    own('file', 'cgroup.numa.{i}.file', 'gauge', 'bytes', 'memory.numa_stat file (v1 hierarchical_file pages × 4096) on the node'),
  ]),
  ...of('host', [
    cpuTicks('user'),
    cpuTicks('nice'),
    cpuTicks('system'),
    cpuTicks('idle'),
    cpuTicks('iowait'),
    cpuTicks('irq'),
    cpuTicks('softirq'),
    cpuTicks('steal'),
    hostMem('mem_total', 'mem.total', 'attribute', false, '/proc/meminfo MemTotal'),
    hostMem('mem_free', 'mem.free', 'gauge', true, '/proc/meminfo MemFree'),
    hostMem('mem_available', 'mem.available', 'gauge', true, '/proc/meminfo MemAvailable'),
    hostMem('mem_buffers', 'mem.buffers', 'gauge', false, '/proc/meminfo Buffers'),
    hostMem('mem_cached', 'mem.cached', 'gauge', false, '/proc/meminfo Cached'),
    hostMem('swap_total', 'swap.total', 'attribute', false, '/proc/meminfo SwapTotal'),
    hostMem('swap_free', 'swap.free', 'gauge', true, '/proc/meminfo SwapFree'),
  ]),
];
