// A KVM domain's plan: CPU from the first of the domain's CPU sources (cgroup.ts: v2 cpu.stat, v1
// cpuacct, or the QEMU process), RSS from /proc/<pid>/stat, each vCPU thread's stat, sched and
// schedstat, the tap lines of /proc/net/dev, /sys/dev/block/MAJ:MIN/{stat,size} of block-backed
// disks, /proc/<pid>/io, and the cgroup files of the keys the row map stores (their per-device
// part, I/O per host disk and NUMA nodes, in cgroup-device-plan.ts) — the files the KVM driver
// reads, in its order, read by the kernel specs' fast readers into the same keys.

import type { HostFs, KeptFile } from '../../host/hostfs.js';
import type { AheadFile } from '../../host/read-ahead.js';
import { CGROUP_CPU_STAT, CGROUP_CPU_STAT_AT, CGROUP_CPU_STAT_KEYS, readCgroupCpuStat } from '../../kernel/cgroup-cpu-stat.js';
import {
  CPUACCT_STAT,
  CPUACCT_STAT_AT,
  CPUACCT_STAT_KEYS,
  CPUACCT_USAGE,
  CPUACCT_USAGE_KEYS,
  readCpuacctStat,
  readCpuacctUsage,
} from '../../kernel/cpuacct.js';
import { NET_DEV_KEYS, netDevKey } from '../../kernel/proc-net-dev.js';
import { PROC_IO_AT, PROC_IO_KEYS, PROC_PID_IO, readProcPidIo } from '../../kernel/proc-pid-io.js';
import { NO_WAIT_SUM, readSchedWaitSum, SCHED, SCHED_WAIT_KEY } from '../../kernel/proc-pid-sched.js';
import { readProcSchedstat, SCHEDSTAT, SCHEDSTAT_AT, SCHEDSTAT_KEYS } from '../../kernel/proc-pid-schedstat.js';
import { PROC_PID_STAT, PROC_PID_STAT_AT, PROC_STAT_CPU_KEYS, PROC_STAT_RSS_KEYS, PROC_STAT_VCPU_KEYS, readProcPidStat } from '../../kernel/proc-pid-stat.js';
import { BLOCK_SIZE, BLOCK_SIZE_KEYS, BLOCK_STAT, BLOCK_STAT_AT, BLOCK_STAT_KEYS, readBlockSize, readSysBlockStat } from '../../kernel/sys-block-stat.js';
import {
  columnPos,
  DomainPlan,
  fillInterface,
  fillKeys,
  keyColumns,
  netColumns,
  perRowMap,
  fillPresent,
  storedKeyColumns,
  GONE,
  UNREADABLE,
  type KeyColumns,
  type PlanTick,
} from '../../sample/plan.js';
import type { RowMap } from '../../sample/row-map.js';
import type { DeviceIdentity, DeviceSample } from '../../sample/rows.js';
import type { Domain } from '../../stats/domain.js';
import { isActive } from '../../stats/states.js';
import { definitionParams, localPath } from '../common-groups.js';
import { isValidIfname, sharesHostView } from '../devices.js';
import { sysDevBlock } from './block-device.js';
import { cpuSources } from './cgroup.js';
import { cgroupFiles } from './cgroup-groups.js';
import { CgroupDevicePlan } from './cgroup-device-plan.js';
import type { KvmDriver } from './kvm-driver.js';
import {
  CGROUP_V1_CPU_STAT,
  CPU_THROTTLE_AT,
  CPU_THROTTLE_V1_ASCII,
  CPU_THROTTLE_V1_KEYS,
  CPU_THROTTLE_V2_ASCII,
  CPU_THROTTLE_V2_KEYS,
  readCpuThrottle,
} from '../../kernel/cgroup-cpu-stat.js';
import { CGROUP_PRESSURE, PRESSURE_AT, PRESSURE_KEYS, PRESSURE_RESOURCES, readCgroupPressure } from '../../kernel/cgroup-pressure.js';
import {
  MEMORY_EVENTS,
  MEMORY_EVENTS_ASCII,
  MEMORY_EVENTS_AT,
  MEMORY_EVENTS_KEYS,
  MEMORY_OOM_CONTROL,
  MEMORY_SINGLE,
  MEMORY_STAT,
  OOM_CONTROL_ASCII,
  OOM_CONTROL_KEYS,
  readMemorySingle,
  readMemoryKeys,
  V1_SINGLES,
  V1_STAT_ASCII,
  V1_STAT_AT,
  V1_STAT_KEYS,
  V2_SINGLES,
  V2_STAT_ASCII,
  V2_STAT_AT,
  V2_STAT_KEYS,
  type MemorySingle,
} from '../../kernel/cgroup-memory.js';

type CpuFiles = { kind: 'v2'; stat: KeptFile } | { kind: 'cpuacct'; usage: KeptFile; stat: KeptFile } | { kind: 'proc' };

/** The files of domstat's stored cgroup groups (cgroup-groups.ts says where they are). */
interface CgroupPlanFiles {
  psi: KeptFile[] | null;
  mem: { v2: boolean; singles: { name: MemorySingle; file: KeptFile; optional: boolean }[]; stat: KeptFile | null; events: KeptFile | null } | null;
  /** v2: the cpu.stat the CPU time is read from (parsed again, not read again); v1: the cpu controller's. */
  throttle: { v2: true } | { v2: false; file: KeptFile } | null;
}

const singleKeys = (name: MemorySingle) => [{ key: MEMORY_SINGLE[name].key, from: ['value' as const], factor: 1 }];
const fileName = (spec: { path: string }) => spec.path.slice(spec.path.lastIndexOf('/') + 1);

interface Vcpu {
  stat: KeptFile;
  sched: KeptFile;
  schedstat: KeptFile;
}

/** Every key the plan fills, resolved once per row map (shared by every plan). */
const columnsOf = perRowMap((map) => ({
  procCpu: keyColumns(PROC_STAT_CPU_KEYS, 'domain', PROC_PID_STAT_AT)(map),
  rss: keyColumns(PROC_STAT_RSS_KEYS, 'domain', PROC_PID_STAT_AT)(map),
  v2Cpu: keyColumns(CGROUP_CPU_STAT_KEYS, 'domain', CGROUP_CPU_STAT_AT)(map),
  acctUsage: keyColumns(CPUACCT_USAGE_KEYS, 'domain', { usage: 0 })(map),
  acctStat: keyColumns(CPUACCT_STAT_KEYS, 'domain', CPUACCT_STAT_AT)(map),
  vTime: keyColumns(PROC_STAT_VCPU_KEYS, 'vcpu', PROC_PID_STAT_AT)(map),
  vDelay: keyColumns(SCHEDSTAT_KEYS, 'vcpu', SCHEDSTAT_AT)(map),
  vWait: columnPos(map, 'vcpu', SCHED_WAIT_KEY),
  vState: columnPos(map, 'vcpu', 'vcpu.{i}.state'),
  blockStat: keyColumns(BLOCK_STAT_KEYS, 'block', BLOCK_STAT_AT)(map),
  blockSize: keyColumns(BLOCK_SIZE_KEYS, 'block', { sectors: 0 })(map),
  io: keyColumns(PROC_IO_KEYS, 'domain', PROC_IO_AT)(map),
  tap: netColumns(NET_DEV_KEYS.swapped)(map),
  macvtap: netColumns(NET_DEV_KEYS.host)(map),
  // domstat's cgroup keys: only those the store keeps a column for (the rest are domstats' alone)
  psi: PRESSURE_RESOURCES.map((r) => storedKeyColumns(map, PRESSURE_KEYS[r], 'domain', PRESSURE_AT)),
  singles: Object.fromEntries(
    (Object.keys(MEMORY_SINGLE) as MemorySingle[]).map((n) => [n, storedKeyColumns(map, singleKeys(n), 'domain', { value: 0 })]),
  ) as Record<MemorySingle, KeyColumns>,
  v2Stat: storedKeyColumns(map, V2_STAT_KEYS, 'domain', V2_STAT_AT),
  v1Stat: storedKeyColumns(map, V1_STAT_KEYS, 'domain', V1_STAT_AT),
  events: storedKeyColumns(map, MEMORY_EVENTS_KEYS, 'domain', MEMORY_EVENTS_AT),
  oomKill: storedKeyColumns(map, OOM_CONTROL_KEYS, 'domain', { oom_kill: 0 }),
  v2Throttle: storedKeyColumns(map, CPU_THROTTLE_V2_KEYS, 'domain', CPU_THROTTLE_AT),
  v1Throttle: storedKeyColumns(map, CPU_THROTTLE_V1_KEYS, 'domain', CPU_THROTTLE_AT),
}));

type Columns = ReturnType<typeof columnsOf>;

/** Parsed fields of the file at hand (plans fill one at a time, on one thread). */
const scratch = new Float64Array(17);

class KvmDomainPlan extends DomainPlan {
  private readonly stat: KeptFile;
  private readonly io: KeptFile;
  private readonly cpu: CpuFiles;
  private readonly vcpus: Vcpu[];
  private readonly ifaces: { name: string; cols: KeyColumns }[];
  private readonly disks: { stat: KeptFile; size: KeptFile }[];
  private readonly cg: CgroupPlanFiles;
  private readonly devicePlan: CgroupDevicePlan | null;
  private readonly c: Columns;

  constructor(
    dom: Domain,
    map: RowMap,
    fs: HostFs,
    pid: number,
    cpu: CpuFiles,
    vcpus: { id: number; files: Vcpu }[],
    ifaces: { identity: DeviceIdentity; swapped: boolean }[],
    disks: { identity: DeviceIdentity; dir: string }[],
    cg: CgroupPlanFiles,
    devicePlan: CgroupDevicePlan | null,
  ) {
    super(
      dom,
      map,
      [
        ...vcpus.map((v) => ({ kind: 'vcpu' as const, idx: v.id, name: `vcpu${v.id}` })),
        ...ifaces.map((i) => i.identity),
        ...disks.map((d) => d.identity),
        ...(devicePlan?.identities ?? []),
      ],
      definitionParams(dom),
    );
    this.devicePlan = devicePlan;
    this.c = columnsOf(map);
    this.stat = fs.keep(`/proc/${pid}/stat`);
    this.io = fs.keep(`/proc/${pid}/io`);
    this.cpu = cpu;
    this.vcpus = vcpus.map((v) => v.files);
    this.ifaces = ifaces.map((i) => ({ name: netDevKey(i.identity.name), cols: i.swapped ? this.c.tap : this.c.macvtap }));
    this.disks = disks.map((d) => ({ stat: fs.keep(`${d.dir}/stat`), size: fs.keep(`${d.dir}/size`) }));
    this.cg = cg;
  }

  protected fill(tick: PlanTick, devices: DeviceSample[]): boolean {
    const c = this.c;
    const s = scratch;
    const dom = devices[0]!;
    // The QEMU process: RSS always, CPU too when the domain has no cgroup.
    let n = tick.read(this.stat, PROC_PID_STAT.limit);
    if (n < 0 || !readProcPidStat(tick.buf, tick.at, tick.at + n, s)) return false;
    if (this.cpu.kind === 'proc' && !fillKeys(dom, c.procCpu, s)) return false;
    if (!fillKeys(dom, c.rss, s) || !this.readCpu(tick, dom)) return false;
    let k = 1;
    for (const v of this.vcpus) {
      const d = devices[k++]!;
      n = tick.read(v.stat, PROC_PID_STAT.limit);
      if (n < 0 || !readProcPidStat(tick.buf, tick.at, tick.at + n, s)) return false;
      d.values[c.vState] = 1;
      if (!fillKeys(d, c.vTime, s)) return false;
      // No sched or schedstat file (no schedstats in the kernel): no wait or delay, as the driver.
      n = tick.read(v.sched, SCHED.limit);
      if (n === UNREADABLE) return false;
      if (n >= 0) {
        const wait = readSchedWaitSum(tick.buf, tick.at, tick.at + n);
        if (wait === -1) return false;
        if (wait !== NO_WAIT_SUM) d.values[c.vWait] = wait;
      }
      n = tick.read(v.schedstat, SCHEDSTAT.limit);
      if (n === UNREADABLE) return false;
      if (n >= 0 && !(readProcSchedstat(tick.buf, tick.at, tick.at + n, s) && fillKeys(d, c.vDelay, s))) return false;
    }
    const table = this.ifaces.length > 0 ? tick.netDev() : null;
    for (const i of this.ifaces) if (!fillInterface(devices[k++]!, table, i.name, i.cols)) return false;
    for (const disk of this.disks) {
      const d = devices[k++]!;
      n = tick.read(disk.stat, BLOCK_STAT.limit);
      const fields = n < 0 ? -1 : readSysBlockStat(tick.buf, tick.at, tick.at + n, s);
      if (fields < 0 || !fillKeys(d, c.blockStat, s, 0, fields)) return false;
      n = tick.read(disk.size, BLOCK_SIZE.limit);
      if (n === UNREADABLE) return false;
      if (n >= 0) {
        // no size file: capacity unknown, as the driver
        s[0] = readBlockSize(tick.buf, tick.at, tick.at + n);
        if (s[0] < 0 || !fillKeys(d, c.blockSize, s)) return false;
      }
    }
    n = tick.read(this.io, PROC_PID_IO.limit);
    if (!(n >= 0 && readProcPidIo(tick.buf, tick.at, tick.at + n, s) && fillKeys(dom, c.io, s))) return false;
    if (!this.readCgroup(tick, dom)) return false;
    if (this.devicePlan === null) return true;
    const got = this.devicePlan.fill(tick, devices, k);
    if (got === 'stale') this.stale = true;
    return got === 'ok';
  }

  /** Pressure, cgroup memory and v1 throttling, in files() order; any file not plainly readable: the driver's path. */
  private readCgroup(tick: PlanTick, dom: DeviceSample): boolean {
    const c = this.c;
    const s = scratch;
    const cg = this.cg;
    let n: number;
    if (cg.psi !== null) {
      for (let r = 0; r < cg.psi.length; r++) {
        n = tick.read(cg.psi[r]!, CGROUP_PRESSURE.limit);
        if (!(n >= 0 && readCgroupPressure(tick.buf, tick.at, tick.at + n, s) && fillKeys(dom, c.psi[r]!, s))) return false;
      }
    }
    const m = cg.mem;
    if (m !== null) {
      for (const one of m.singles) {
        n = tick.read(one.file, MEMORY_SINGLE[one.name].limit);
        if (n === GONE && one.optional) continue; // swap not accounted: absent, as the driver
        s[0] = n < 0 ? -1 : readMemorySingle(tick.buf, tick.at, tick.at + n);
        if (s[0] < 0 || !fillKeys(dom, c.singles[one.name], s)) return false;
      }
      if (m.stat !== null) {
        n = tick.read(m.stat, MEMORY_STAT.limit);
        if (!(
          n >= 0 &&
          readMemoryKeys(tick.buf, tick.at, tick.at + n, m.v2 ? V2_STAT_ASCII : V1_STAT_ASCII, s) &&
          fillPresent(dom, m.v2 ? c.v2Stat : c.v1Stat, s)
        ))
          return false;
      }
      if (m.events !== null) {
        n = tick.read(m.events, m.v2 ? MEMORY_EVENTS.limit : MEMORY_OOM_CONTROL.limit);
        if (!(
          n >= 0 &&
          readMemoryKeys(tick.buf, tick.at, tick.at + n, m.v2 ? MEMORY_EVENTS_ASCII : OOM_CONTROL_ASCII, s) &&
          fillPresent(dom, m.v2 ? c.events : c.oomKill, s)
        ))
          return false;
      }
    }
    const th = cg.throttle;
    if (th !== null && !th.v2) {
      n = tick.read(th.file, CGROUP_V1_CPU_STAT.limit);
      if (!(n >= 0 && readCpuThrottle(tick.buf, tick.at, tick.at + n, CPU_THROTTLE_V1_ASCII, s) && fillPresent(dom, c.v1Throttle, s))) return false;
    }
    return true;
  }

  private readCpu(tick: PlanTick, dom: DeviceSample): boolean {
    const c = this.c;
    const s = scratch;
    const src = this.cpu;
    if (src.kind === 'proc') return true; // from the process's stat, read already
    if (src.kind === 'v2') {
      const n = tick.read(src.stat, CGROUP_CPU_STAT.limit);
      if (!(n >= 0 && readCgroupCpuStat(tick.buf, tick.at, tick.at + n, s) && fillKeys(dom, c.v2Cpu, s))) return false;
      // v2 throttling is in the same file: parsed from the same bytes.
      return this.cg.throttle?.v2 !== true || (readCpuThrottle(tick.buf, tick.at, tick.at + n, CPU_THROTTLE_V2_ASCII, s) && fillPresent(dom, c.v2Throttle, s));
    }
    let n = tick.read(src.usage, CPUACCT_USAGE.limit);
    s[0] = n < 0 ? -1 : readCpuacctUsage(tick.buf, tick.at, tick.at + n);
    if (s[0] < 0 || !fillKeys(dom, c.acctUsage, s)) return false;
    n = tick.read(src.stat, CPUACCT_STAT.limit);
    return n >= 0 && readCpuacctStat(tick.buf, tick.at, tick.at + n, s) && fillKeys(dom, c.acctStat, s);
  }

  files(): AheadFile[] {
    const src = this.cpu;
    const cpu: AheadFile[] =
      src.kind === 'v2'
        ? [{ file: src.stat, max: CGROUP_CPU_STAT.limit }]
        : src.kind === 'cpuacct'
          ? [
              { file: src.usage, max: CPUACCT_USAGE.limit },
              { file: src.stat, max: CPUACCT_STAT.limit },
            ]
          : [];
    return [
      { file: this.stat, max: PROC_PID_STAT.limit },
      ...cpu,
      ...this.vcpus.flatMap((v) => [
        { file: v.stat, max: PROC_PID_STAT.limit },
        { file: v.sched, max: SCHED.limit },
        { file: v.schedstat, max: SCHEDSTAT.limit },
      ]),
      ...this.disks.flatMap((d) => [
        { file: d.stat, max: BLOCK_STAT.limit },
        { file: d.size, max: BLOCK_SIZE.limit },
      ]),
      { file: this.io, max: PROC_PID_IO.limit },
      ...this.cgroupFiles(),
      ...(this.devicePlan?.files() ?? []),
    ];
  }

  private cgroupFiles(): AheadFile[] {
    const cg = this.cg;
    const out: AheadFile[] = (cg.psi ?? []).map((file) => ({ file, max: CGROUP_PRESSURE.limit }));
    const m = cg.mem;
    if (m !== null) {
      for (const one of m.singles) out.push({ file: one.file, max: MEMORY_SINGLE[one.name].limit });
      if (m.stat !== null) out.push({ file: m.stat, max: MEMORY_STAT.limit });
      if (m.events !== null) out.push({ file: m.events, max: m.v2 ? MEMORY_EVENTS.limit : MEMORY_OOM_CONTROL.limit });
    }
    if (cg.throttle !== null && !cg.throttle.v2) out.push({ file: cg.throttle.file, max: CGROUP_V1_CPU_STAT.limit });
    return out;
  }
}

/** The plan of a running KVM domain, or null when the driver must sample it. */
export function kvmPlan(dom: Domain, fs: HostFs, map: RowMap, driver: KvmDriver): DomainPlan | null {
  if (!isActive(dom.state) || dom.pid === undefined) return null;
  const pid = dom.pid;
  let resolved;
  try {
    resolved = driver.resolve(dom, fs);
  } catch {
    return null;
  }
  if (resolved.cgroupProblem !== undefined) return null; // the driver reports it, every tick
  const src = cpuSources(resolved.cgroups)[0]!;
  const cpu: CpuFiles =
    src.kind === 'v2'
      ? { kind: 'v2', stat: fs.keep(src.stat) }
      : src.kind === 'cpuacct'
        ? { kind: 'cpuacct', usage: fs.keep(src.usage), stat: fs.keep(src.stat) }
        : src;
  const vcpus = [...dom.vcpuPids]
    .sort((a, b) => a[0] - b[0])
    .map(([id, tid]) => ({
      id,
      files: {
        stat: fs.keep(`/proc/${pid}/task/${tid}/stat`),
        sched: fs.keep(`/proc/${pid}/task/${tid}/sched`),
        schedstat: fs.keep(`/proc/${pid}/task/${tid}/schedstat`),
      },
    }));
  const ifaces: { identity: DeviceIdentity; swapped: boolean }[] = [];
  for (const [i, iface] of dom.interfaces.entries()) {
    const name = iface.target;
    if (name === undefined) continue;
    if (!isValidIfname(name)) return null;
    ifaces.push({ identity: { kind: 'net', idx: i, name }, swapped: !sharesHostView(iface) });
  }
  const disks: { identity: DeviceIdentity; dir: string }[] = [];
  for (const [i, disk] of dom.disks.entries()) {
    const dev = resolved.blockDevs[i];
    if (dev === null || dev === undefined) continue;
    if (disk.target === undefined) return null;
    const identity: DeviceIdentity = { kind: 'block', idx: i, name: disk.target };
    const path = localPath(disk);
    if (path !== undefined) identity.path = path;
    disks.push({ identity, dir: sysDevBlock(dev) });
  }
  // domstat's stored cgroup groups, where the domain's cgroups have them (cgroupFiles: the driver's rule)
  const where = cgroupFiles(resolved.cgroups);
  const c = columnsOf(map);
  const any = (k: KeyColumns) => k.cols.length > 0;
  const mem = where.memory;
  const th = where.throttle;
  const throttleCols = th?.v2 === true ? c.v2Throttle : c.v1Throttle;
  const cg: CgroupPlanFiles = {
    psi: where.pressure === undefined || !c.psi.some(any) ? null : PRESSURE_RESOURCES.map((r) => fs.keep(`${where.pressure}/${r}.pressure`)),
    mem:
      mem === undefined
        ? null
        : {
            v2: mem.v2,
            singles: (mem.v2 ? V2_SINGLES : V1_SINGLES)
              .filter((name) => any(c.singles[name]))
              .map((name) => ({ name, file: fs.keep(`${mem.dir}/${fileName(MEMORY_SINGLE[name])}`), optional: name === 'swapCurrent' })),
            stat: any(mem.v2 ? c.v2Stat : c.v1Stat) ? fs.keep(`${mem.dir}/memory.stat`) : null,
            events: any(mem.v2 ? c.events : c.oomKill) ? fs.keep(`${mem.dir}/${mem.v2 ? 'memory.events' : 'memory.oom_control'}`) : null,
          },
    // v2 throttling is in the cpu.stat the CPU time is read from
    throttle: th === undefined || !any(throttleCols) ? null : th.v2 ? { v2: true } : { v2: false, file: fs.keep(th.stat) },
  };
  if (cg.throttle?.v2 === true && cpu.kind !== 'v2') return null;
  const devicePlan = CgroupDevicePlan.make(where, fs, map);
  if (devicePlan === 'driver') return null;
  return new KvmDomainPlan(dom, map, fs, pid, cpu, vcpus, ifaces, disks, cg, devicePlan);
}
