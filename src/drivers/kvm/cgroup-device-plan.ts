// The per-device part of domstat's cgroup groups in a KVM domain's plan: the VM's I/O per host
// block device (v2 io.stat, v1 blkio's two files) and its memory per NUMA node (memory.numa_stat).
// Unlike a domain's disks and interfaces these devices are the kernel's to list: a host device
// appears in io.stat once the VM has done I/O to it, a node once it holds the VM's memory. The plan
// follows the list it was made with; a tick whose file lists others is sampled by the driver, and
// the plan is made again (stale) with the new list.

import type { HostFs, KeptFile } from '../../host/hostfs.js';
import { isGone } from '../../host/hostfs.js';
import type { AheadFile } from '../../host/read-ahead.js';
import {
  BLKIO_BYTES,
  BLKIO_IOS,
  blkioAsIoStat,
  CGROUP_IO_KEYS,
  CGROUP_IO_STAT,
  IO_FIELDS,
  readIoStat,
  type DeviceIo,
  type IoField,
} from '../../kernel/cgroup-io.js';
import { MEMORY_NUMA_STAT, NUMA_KEYS_V1, NUMA_KEYS_V2, parseNumaStat, readNumaStat } from '../../kernel/cgroup-numa.js';
import { ParseError } from '../../kernel/u64.js';
import { fillPresent, perRowMap, storedKeyColumns, type PlanTick } from '../../sample/plan.js';
import type { RowMap } from '../../sample/row-map.js';
import type { DeviceIdentity, DeviceSample } from '../../sample/rows.js';
import { blockDeviceName, readCgroupIo, type CgroupFiles } from './cgroup-groups.js';

/** Devices (nodes) a plan follows; a cgroup with more is its driver's. */
const MAX = 64;
const IO_AT = Object.fromEntries(IO_FIELDS.map((f, i) => [f, i])) as Record<IoField, number>;
const NUMA_AT = { anon: 0, file: 1 } as const;

const columnsOf = perRowMap((map) => ({
  io: storedKeyColumns(map, CGROUP_IO_KEYS, 'cgroup_io', IO_AT),
  numaV2: storedKeyColumns(map, NUMA_KEYS_V2, 'numa', NUMA_AT),
  numaV1: storedKeyColumns(map, NUMA_KEYS_V1, 'numa', NUMA_AT),
}));

// Fast readers' output (plans fill one at a time, on one thread).
const devs = new Float64Array(2 * MAX);
const ioOut = new Float64Array(IO_FIELDS.length * MAX);
const nodes = new Float64Array(MAX);
const numaOut = new Float64Array(2 * MAX);

type IoFiles = { v2: true; stat: KeptFile } | { v2: false; bytes: KeptFile; ios: KeptFile };

export type DeviceFill = 'ok' | 'stale' | 'fail';

export class CgroupDevicePlan {
  private constructor(
    private readonly map: RowMap,
    private readonly io: { files: IoFiles; listed: Float64Array } | null,
    private readonly numa: { file: KeptFile; v1: boolean; listed: Float64Array } | null,
    /** The rows, cgroup I/O devices first, then NUMA nodes. */
    readonly identities: DeviceIdentity[],
  ) {}

  /**
   * The plan for the files the row map stores keys of, with the devices they list now: null when
   * there is nothing to follow, 'driver' when a file cannot be read plainly now (the driver
   * samples the domain and says why).
   */
  static make(where: CgroupFiles, fs: HostFs, map: RowMap): CgroupDevicePlan | null | 'driver' {
    const c = columnsOf(map);
    const quiet = () => {};
    const identities: DeviceIdentity[] = [];
    let io: CgroupDevicePlan['io'] = null;
    if (where.io !== undefined && c.io.cols.length > 0) {
      const listed = readCgroupIo(where, fs, quiet);
      if (listed === undefined || listed.length > MAX) return 'driver';
      const files: IoFiles = where.io.v2
        ? { v2: true, stat: fs.keep(where.io.stat) }
        : { v2: false, bytes: fs.keep(where.io.bytes), ios: fs.keep(where.io.ios) };
      io = { files, listed: Float64Array.from(listed.flatMap((d) => [d.major, d.minor])) };
      listed.forEach((d, i) => {
        const dev = `${d.major}:${d.minor}`;
        identities.push({ kind: 'cgroup_io', idx: i, name: blockDeviceName(fs, d.major, d.minor, quiet) ?? dev, path: dev });
      });
    }
    let numa: CgroupDevicePlan['numa'] = null;
    const mem = where.memory;
    const numaCols = mem?.v2 ? c.numaV2 : c.numaV1;
    if (mem !== undefined && numaCols.cols.length > 0) {
      const path = `${mem.dir}/memory.numa_stat`;
      let listed;
      try {
        const text = fs.readText(path, MEMORY_NUMA_STAT.limit);
        // no file: a kernel without NUMA, no such group (as the driver)
        listed = isGone(text) ? [] : parseNumaStat(text, !mem.v2, path);
      } catch {
        return 'driver';
      }
      if (listed.length > MAX) return 'driver';
      if (listed.length > 0) {
        numa = { file: fs.keep(path), v1: !mem.v2, listed: Float64Array.from(listed, (n) => n.node) };
        listed.forEach((n, i) => identities.push({ kind: 'numa', idx: i, name: `node${n.node}` }));
      }
    }
    return io === null && numa === null ? null : new CgroupDevicePlan(map, io, numa, identities);
  }

  /** Its files, in fill()'s order. */
  files(): AheadFile[] {
    const out: AheadFile[] = [];
    const f = this.io?.files;
    if (f !== undefined) {
      if (f.v2) out.push({ file: f.stat, max: CGROUP_IO_STAT.limit });
      else out.push({ file: f.bytes, max: BLKIO_BYTES.limit }, { file: f.ios, max: BLKIO_IOS.limit });
    }
    if (this.numa !== null) out.push({ file: this.numa.file, max: MEMORY_NUMA_STAT.limit });
    return out;
  }

  /** Fills rows[first..] (in identities' order): 'stale' when a file lists other devices now, 'fail' when it cannot be read plainly. */
  fill(tick: PlanTick, rows: DeviceSample[], first: number): DeviceFill {
    const c = columnsOf(this.map);
    let k = first;
    if (this.io !== null) {
      const listed = this.io.listed;
      const count = listed.length / 2;
      const f = this.io.files;
      let n: number;
      if (f.v2) {
        const len = tick.read(f.stat, CGROUP_IO_STAT.limit);
        if (len < 0) return 'fail';
        n = readIoStat(tick.buf, tick.at, tick.at + len, devs, ioOut, MAX);
      } else {
        n = this.blkio(tick, f);
      }
      if (n < 0) return 'fail';
      if (n !== count) return 'stale';
      for (let i = 0; i < 2 * n; i++) if (devs[i] !== listed[i]) return 'stale';
      for (let i = 0; i < n; i++) if (!fillPresent(rows[k++]!, c.io, ioOut, IO_FIELDS.length * i)) return 'fail';
    }
    if (this.numa !== null) {
      const listed = this.numa.listed;
      const len = tick.read(this.numa.file, MEMORY_NUMA_STAT.limit);
      if (len < 0) return 'fail';
      const n = readNumaStat(tick.buf, tick.at, tick.at + len, this.numa.v1, nodes, numaOut, MAX);
      if (n < 0) return 'fail';
      if (n !== listed.length) return 'stale';
      for (let i = 0; i < n; i++) if (nodes[i] !== listed[i]) return 'stale';
      const cols = this.numa.v1 ? c.numaV1 : c.numaV2;
      for (let i = 0; i < n; i++) if (!fillPresent(rows[k++]!, cols, numaOut, 2 * i)) return 'fail';
    }
    return 'ok';
  }

  /** v1's two blkio files through the careful parser (v1 hosts are few; both files are short): devices into devs and ioOut, or -1. */
  private blkio(tick: PlanTick, f: { bytes: KeptFile; ios: KeptFile }): number {
    let len = tick.read(f.bytes, BLKIO_BYTES.limit);
    if (len < 0) return -1;
    const bytes = tick.buf.toString('latin1', tick.at, tick.at + len);
    len = tick.read(f.ios, BLKIO_IOS.limit);
    if (len < 0) return -1;
    const ios = tick.buf.toString('latin1', tick.at, tick.at + len);
    let listed: DeviceIo[];
    try {
      listed = blkioAsIoStat(bytes, ios, 'blkio.throttle.io_service_bytes', 'blkio.throttle.io_serviced');
    } catch (e) {
      if (e instanceof ParseError) return -1;
      throw e;
    }
    if (listed.length > MAX) return -1;
    for (const [i, d] of listed.entries()) {
      devs[2 * i] = d.major;
      devs[2 * i + 1] = d.minor;
      for (const [f, field] of IO_FIELDS.entries()) {
        const v = d.fields[field];
        if (v !== undefined && v > BigInt(Number.MAX_SAFE_INTEGER)) return -1;
        ioOut[IO_FIELDS.length * i + f] = v === undefined ? NaN : Number(v);
      }
    }
    return listed.length;
  }
}
