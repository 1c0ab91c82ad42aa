// domstat's cgroup groups of a KVM domain, from the domain's own cgroup directories (cgroup.ts):
// pressure (v2 or the hybrid layout's unified tree), cgroup memory, CPU throttling, I/O per host
// block device and memory per NUMA node (v2, or v1's memory, cpu and blkio controllers). Each file
// is read on its own: one that cannot be read or parsed costs its keys, with a problem that names
// the file, never the other files' keys nor another domain's. A group the host's layout does not
// have for the domain (pressure on a pure v1 host, I/O without blkio) is absent, not a problem. Values of 2^63 or more are refused
// per key: the kernel prints a per-CPU sum that went negative for a moment as such a u64
// (memory.stat can), and no counter of a VM's cgroup gets there honestly.

import type { HostFs } from '../../host/hostfs.js';
import { HostReadError, isGone } from '../../host/hostfs.js';
import {
  CGROUP_CPU_STAT,
  CGROUP_V1_CPU_STAT,
  CPU_THROTTLE_V1_FIELDS,
  CPU_THROTTLE_V1_KEYS,
  CPU_THROTTLE_V2_FIELDS,
  CPU_THROTTLE_V2_KEYS,
  parseCpuThrottle,
} from '../../kernel/cgroup-cpu-stat.js';
import { BLKIO_BYTES, BLKIO_IOS, blkioAsIoStat, CGROUP_IO_KEYS, CGROUP_IO_STAT, parseIoStat, type DeviceIo } from '../../kernel/cgroup-io.js';
import {
  MEMORY_EVENTS,
  MEMORY_EVENTS_KEYS,
  MEMORY_OOM_CONTROL,
  MEMORY_SINGLE,
  MEMORY_STAT,
  OOM_CONTROL_KEYS,
  parseMemoryEvents,
  parseMemorySingle,
  parseMemoryStat,
  parseOomControl,
  V1_SINGLES,
  V1_STAT_FIELDS,
  V1_STAT_KEYS,
  V2_SINGLES,
  V2_STAT_FIELDS,
  V2_STAT_KEYS,
  type MemorySingle,
} from '../../kernel/cgroup-memory.js';
import { MEMORY_NUMA_STAT, NUMA_KEYS_V1, NUMA_KEYS_V2, parseNumaStat } from '../../kernel/cgroup-numa.js';
import { CGROUP_PRESSURE, PRESSURE_KEYS, PRESSURE_RESOURCES, parseCgroupPressure } from '../../kernel/cgroup-pressure.js';
import { keyAt, productOf, type KeyFrom } from '../../kernel/spec.js';
import { BLOCK_UEVENT, parseBlockUevent } from '../../kernel/sys-dev-block-uevent.js';
import { ParseError } from '../../kernel/u64.js';
import { StatsGroup } from '../../stats/groups.js';
import type { ParamList } from '../../stats/typed-params.js';
import type { DomainCgroups } from './cgroup.js';
import { hostDiskOf } from './block-device.js';

/** The first value refused: a u64 of 2^63 or more is a negative number the kernel printed unsigned. */
export const VALUE_LIMIT = 1n << 63n;

/** The groups this module fills. */
export const CGROUP_GROUPS = StatsGroup.PRESSURE | StatsGroup.CGROUP_MEMORY | StatsGroup.CPU_THROTTLE | StatsGroup.CGROUP_IO | StatsGroup.NUMA;

/** Where each group's files are for a domain's cgroups: v2 (the unified tree's group) or v1 controllers. */
export interface CgroupFiles {
  /** The v2 group pressure files are in (v2, or the hybrid layout's unified tree). */
  pressure?: string;
  memory?: { v2: boolean; dir: string };
  throttle?: { v2: boolean; stat: string };
  io?: { v2: true; stat: string } | { v2: false; bytes: string; ios: string };
}

export function cgroupFiles(cg: DomainCgroups | null): CgroupFiles {
  const out: CgroupFiles = {};
  if (cg === null) return out;
  const v2 = cg.mode === 'v2' ? cg.v2 : undefined;
  if (cg.v2 !== undefined) out.pressure = cg.v2;
  if (cg.memory !== undefined) out.memory = { v2: false, dir: cg.memory };
  else if (v2 !== undefined) out.memory = { v2: true, dir: v2 };
  // v2: the cpu.stat the domain's CPU time is read from (no file more a tick).
  if (cg.cpu !== undefined) out.throttle = { v2: false, stat: `${cg.cpu}/cpu.stat` };
  else if (v2 !== undefined) out.throttle = { v2: true, stat: `${cg.v2Stats ?? v2}/cpu.stat` };
  if (cg.blkio !== undefined) out.io = { v2: false, bytes: `${cg.blkio}/blkio.throttle.io_service_bytes`, ios: `${cg.blkio}/blkio.throttle.io_serviced` };
  else if (v2 !== undefined) out.io = { v2: true, stat: `${v2}/io.stat` };
  return out;
}

/** A problem of one file or key; the group's other keys go on. */
export type Problem = (message: string) => void;

/** A file's text, or a problem ("gone" and read errors alike) and undefined; `once`: a file not read every tick (readOnce). */
function readOr(fs: HostFs, path: string, limit: number, problem: Problem, gone: string, once = false): string | undefined {
  try {
    const text = once ? fs.readOnce(path, limit) : fs.readText(path, limit);
    if (!isGone(text)) return text;
    problem(`${path}: ${gone}`);
  } catch (e) {
    if (!(e instanceof HostReadError)) throw e;
    problem(e.message);
  }
  return undefined;
}

/** parse(text), or a problem (the parser's message names the file) and undefined. */
function parsed<T>(parse: () => T, problem: Problem): T | undefined {
  try {
    return parse();
  } catch (e) {
    if (!(e instanceof ParseError)) throw e;
    problem(e.message);
    return undefined;
  }
}

/** Keys from exact fields; a key past VALUE_LIMIT is left out with a problem. */
export function emitChecked<F extends string>(
  p: ParamList,
  keys: readonly KeyFrom<F>[],
  fields: Partial<Record<F, bigint>>,
  problem: Problem,
  index?: number,
): void {
  for (const k of keys) {
    const key = index === undefined ? k.key : keyAt(k.key, index);
    const v = productOf(k, fields);
    if (v === undefined) continue;
    if (v >= VALUE_LIMIT) problem(`${key}: ${v} is 2^63 or more (a negative count printed unsigned?): left out`);
    else p.ullong(key, v);
  }
}

export function emitPressure(p: ParamList, files: CgroupFiles, fs: HostFs, problem: Problem): void {
  // No group of the kind on this host's layout (pressure on pure v1): absent, as the kernel has none to give.
  if (files.pressure === undefined) return;
  for (const r of PRESSURE_RESOURCES) {
    const path = `${files.pressure}/${r}.pressure`;
    const text = readOr(fs, path, CGROUP_PRESSURE.limit, problem, 'no such file (a kernel without PSI, or booted psi=0)');
    if (text === undefined) continue;
    const v = parsed(() => parseCgroupPressure(text, path), problem);
    if (v === undefined) continue;
    emitChecked(p, PRESSURE_KEYS[r], v, problem);
    if (v.full === undefined) problem(`${PRESSURE_KEYS[r][1]!.key}: ${path} has no "full" line (a kernel before 5.13 for cpu)`);
  }
}

export function emitCgroupMemory(p: ParamList, files: CgroupFiles, fs: HostFs, problem: Problem): void {
  const m = files.memory;
  if (m === undefined) return;
  const single = (name: MemorySingle, optional: boolean) => {
    const spec = MEMORY_SINGLE[name];
    const path = `${m.dir}/${spec.path.slice(spec.path.lastIndexOf('/') + 1)}`;
    // memory.swap.current is missing where swap is not accounted (swapaccount=0): absent, as the kernel says.
    const text = optional && !fs.exists(path) ? undefined : readOr(fs, path, spec.limit, problem, 'no such file');
    if (text === undefined) return;
    const v = parsed(() => parseMemorySingle(text, path), problem);
    if (v !== undefined) emitChecked(p, [{ key: spec.key, from: ['value'], factor: 1 }], v, problem);
  };
  const keyed = <F extends string>(
    file: string,
    limit: number,
    parse: (text: string, path: string) => Partial<Record<F, bigint>>,
    keys: readonly KeyFrom<F>[],
  ) => {
    const path = `${m.dir}/${file}`;
    const text = readOr(fs, path, limit, problem, 'no such file');
    if (text === undefined) return;
    const v = parsed(() => parse(text, path), problem);
    if (v !== undefined) emitChecked(p, keys, v, problem);
  };
  if (m.v2) {
    for (const s of V2_SINGLES) single(s, s === 'swapCurrent');
    keyed('memory.stat', MEMORY_STAT.limit, (t, path) => parseMemoryStat(t, V2_STAT_FIELDS, path), V2_STAT_KEYS);
    keyed('memory.events', MEMORY_EVENTS.limit, parseMemoryEvents, MEMORY_EVENTS_KEYS);
  } else {
    for (const s of V1_SINGLES) single(s, false);
    keyed('memory.stat', MEMORY_STAT.limit, (t, path) => parseMemoryStat(t, V1_STAT_FIELDS, path), V1_STAT_KEYS);
    keyed('memory.oom_control', MEMORY_OOM_CONTROL.limit, parseOomControl, OOM_CONTROL_KEYS);
  }
}

export function emitCpuThrottle(p: ParamList, files: CgroupFiles, fs: HostFs, problem: Problem): void {
  const th = files.throttle;
  if (th === undefined) return;
  const text = readOr(fs, th.stat, th.v2 ? CGROUP_CPU_STAT.limit : CGROUP_V1_CPU_STAT.limit, problem, 'no such file');
  if (text === undefined) return;
  // A group without CPU bandwidth control (v2's cpu controller not enabled) has no throttling lines: absent.
  if (th.v2) {
    const v = parsed(() => parseCpuThrottle(text, CPU_THROTTLE_V2_FIELDS, th.stat), problem);
    if (v !== undefined) emitChecked(p, CPU_THROTTLE_V2_KEYS, v, problem);
  } else {
    const v = parsed(() => parseCpuThrottle(text, CPU_THROTTLE_V1_FIELDS, th.stat), problem);
    if (v !== undefined) emitChecked(p, CPU_THROTTLE_V1_KEYS, v, problem);
  }
}

/** A host block device's kernel name, or a problem (a device that went away after its I/O was counted) and undefined. */
export function blockDeviceName(fs: HostFs, major: number, minor: number, problem: Problem): string | undefined {
  const path = `/sys/dev/block/${major}:${minor}/uevent`;
  const text = readOr(fs, path, BLOCK_UEVENT.limit, problem, 'gone (the device was removed): its name is unknown', true);
  return text === undefined ? undefined : parsed(() => parseBlockUevent(text, path), problem);
}

/** The group's I/O per host device, as the files list them (v2 io.stat, or v1's two blkio files). */
export function readCgroupIo(files: CgroupFiles, fs: HostFs, problem: Problem): DeviceIo[] | undefined {
  const io = files.io;
  if (io === undefined) return undefined;
  if (io.v2) {
    const text = readOr(fs, io.stat, CGROUP_IO_STAT.limit, problem, 'no such file');
    return text === undefined ? undefined : parsed(() => parseIoStat(text, io.stat), problem);
  }
  const bytes = readOr(fs, io.bytes, BLKIO_BYTES.limit, problem, 'no such file');
  const ios = readOr(fs, io.ios, BLKIO_IOS.limit, problem, 'no such file');
  if (bytes === undefined || ios === undefined) return undefined;
  return parsed(() => blkioAsIoStat(bytes, ios, io.bytes, io.ios), problem);
}

/** A domain's disks, as cgroup I/O attribution needs them. */
export type Disks = readonly { type?: string | undefined; source?: string | undefined; target?: string | undefined }[];

/** Host disk (MAJ:MIN) -> the targets of the domain's disks that live on it. */
function disksByHostDisk(fs: HostFs, disks: Disks): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const d of disks) {
    const on = d.target === undefined ? null : hostDiskOf(fs, d);
    if (on === null) continue;
    const k = `${on.major}:${on.minor}`;
    out.set(k, [...(out.get(k) ?? []), d.target!]);
  }
  return out;
}

export function emitCgroupIo(p: ParamList, files: CgroupFiles, fs: HostFs, problem: Problem, disks: Disks = []): void {
  const devices = readCgroupIo(files, fs, problem);
  if (devices === undefined) return;
  const hosts = devices.length > 0 ? disksByHostDisk(fs, disks) : new Map<string, string[]>();
  p.uint('cgroup.io.count', devices.length);
  devices.forEach((d, i) => {
    p.string(
      `cgroup.io.${i}.name`,
      blockDeviceName(fs, d.major, d.minor, (m) => problem(`cgroup.io.${i}.name: ${m}`)),
    );
    const dev = `${d.major}:${d.minor}`;
    p.string(`cgroup.io.${i}.dev`, dev);
    // The domain's only disk on this host disk: its I/O is this device's (README says how far that goes).
    const on = hosts.get(dev);
    if (on?.length === 1) p.string(`cgroup.io.${i}.disk`, on[0]);
    emitChecked(p, CGROUP_IO_KEYS, d.fields, problem, i);
  });
}

export function emitNuma(p: ParamList, files: CgroupFiles, fs: HostFs, problem: Problem): void {
  const m = files.memory;
  if (m === undefined) return;
  const path = `${m.dir}/memory.numa_stat`;
  // A kernel built without NUMA has no such file: no group, as the layout has none to give.
  if (!fs.exists(path)) return;
  const text = readOr(fs, path, MEMORY_NUMA_STAT.limit, problem, 'no such file');
  if (text === undefined) return;
  const nodes = parsed(() => parseNumaStat(text, !m.v2, path), problem);
  if (nodes === undefined) return;
  p.uint('cgroup.numa.count', nodes.length);
  nodes.forEach((n, i) => {
    p.uint(`cgroup.numa.${i}.node`, n.node);
    emitChecked(p, m.v2 ? NUMA_KEYS_V2 : NUMA_KEYS_V1, n.fields, problem, i);
  });
}

/** Every asked-for cgroup group, in GROUP_ORDER; `problem` gets "<group>: <what>". */
export function emitCgroupGroups(
  p: ParamList,
  groups: number,
  cg: DomainCgroups | null,
  fs: HostFs,
  problem: (group: string, message: string) => void,
  disks: Disks = [],
): void {
  const files = cgroupFiles(cg);
  const groupsOf: [number, string, typeof emitPressure][] = [
    [StatsGroup.PRESSURE, 'pressure', emitPressure],
    [StatsGroup.CGROUP_MEMORY, 'cgroup-memory', emitCgroupMemory],
    [StatsGroup.CPU_THROTTLE, 'cpu-throttle', emitCpuThrottle],
    [StatsGroup.CGROUP_IO, 'cgroup-io', (p, files, fs, problem) => emitCgroupIo(p, files, fs, problem, disks)],
    [StatsGroup.NUMA, 'numa', emitNuma],
  ];
  for (const [bit, name, emit] of groupsOf) if (groups & bit) emit(p, files, fs, (m) => problem(name, m));
}
