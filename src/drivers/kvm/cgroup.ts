// Where a QEMU domain's cgroups are. The mode comes from the mounts on the live host (statfs of
// /sys/fs/cgroup, as systemd decides it) and from what the tree holds under --root. The domain's
// group comes from its QEMU process (/proc/<pid>/cgroup), never from its name: a trailing
// /emulator and then /libvirt are stripped, as libvirt's placement detection does.

import { HostFs, isGone, checkHostPath, HostPathError } from '../../host/hostfs.js';
import { parseProcPidCgroup, type ProcCgroupLine } from '../../kernel/proc-pid-cgroup.js';
import { DomstatError } from '../../common/errors.js';

export type CgroupMode = 'v1' | 'v2' | 'hybrid' | 'none';

const CGROUP2_SUPER_MAGIC = 0x63677270;
const TMPFS_MAGIC = 0x01021994;
export const CGROUP_ROOT = '/sys/fs/cgroup';

export function detectCgroupMode(fs: HostFs): CgroupMode {
  if (fs.live) {
    const t = fs.statfsType(CGROUP_ROOT);
    if (isGone(t)) return 'none';
    if (t === CGROUP2_SUPER_MAGIC) return 'v2';
    if (t !== TMPFS_MAGIC) return 'none';
    const u = fs.statfsType(`${CGROUP_ROOT}/unified`);
    return !isGone(u) && u === CGROUP2_SUPER_MAGIC ? 'hybrid' : 'v1';
  }
  if (fs.exists(`${CGROUP_ROOT}/cgroup.controllers`)) return 'v2';
  if (!fs.isDir(CGROUP_ROOT)) return 'none';
  return fs.exists(`${CGROUP_ROOT}/unified/cgroup.controllers`) ||
    fs.isDir(`${CGROUP_ROOT}/unified/machine.slice`) ||
    fs.isDir(`${CGROUP_ROOT}/unified/machine`)
    ? 'hybrid'
    : 'v1';
}

/** The mount point of the v2 hierarchy for a mode. */
export function v2Root(mode: CgroupMode): string | null {
  return mode === 'v2' ? CGROUP_ROOT : mode === 'hybrid' ? `${CGROUP_ROOT}/unified` : null;
}

/** A v1 controller's mount point names: its own, or co-mounted (cpu with cpuacct), as systemd and libvirt's hosts mount them. */
const V1_MOUNTS = {
  cpuacct: ['cpuacct', 'cpu,cpuacct', 'cpuacct,cpu'],
  cpu: ['cpu', 'cpu,cpuacct', 'cpuacct,cpu'],
  memory: ['memory'],
  blkio: ['blkio'],
} as const;
type V1Controller = keyof typeof V1_MOUNTS;

/** A v1 controller's mount point, or null. */
export function v1Root(fs: HostFs, controller: V1Controller): string | null {
  for (const name of V1_MOUNTS[controller]) {
    const dir = `${CGROUP_ROOT}/${name}`;
    if (fs.isDir(dir)) return dir;
  }
  return null;
}

/** cpuacct's v1 mount point: its own, or co-mounted with cpu. */
export const cpuacctRoot = (fs: HostFs) => v1Root(fs, 'cpuacct');

/** A process's cgroup path that names no directory under the cgroup mount of its own ('..' or '.' components). */
export class CgroupPathError extends DomstatError {
  readonly code = 'CGROUP_PATH' as const;
  constructor(pid: number, processPath: string) {
    super(`cgroup path of process ${pid} is not a plain path: ${JSON.stringify(processPath.slice(0, 200))}`);
    this.name = 'CgroupPathError';
  }
}

/**
 * libvirt's placement rule: drop a trailing /emulator, then a trailing /libvirt. Throws
 * HostPathError for a path with '..' or '.' components: it names no group of its own.
 */
export function domainGroupPath(processPath: string): string | null {
  let p = processPath.replace(/\/+$/, '');
  if (p.endsWith('/emulator')) p = p.slice(0, -'/emulator'.length);
  if (p.endsWith('/libvirt')) p = p.slice(0, -'/libvirt'.length);
  if (p === '' || p === '/') return null; // the root group is nobody's own group
  checkHostPath(p);
  return p;
}

export interface DomainCgroups {
  mode: CgroupMode;
  /** The domain's v2 directory (host path), if it has one. */
  v2?: string;
  /** The domain's v1 cpuacct directory, if cpuacct is delegated to it. */
  cpuacct?: string;
  /** Where CPU statistics are read: the nested libvirt group when it exists (resolved once). */
  v2Stats?: string;
  cpuacctStats?: string;
  /** The domain's v1 cpu, memory and blkio directories (domstat's cgroup groups), when delegated to it. */
  cpu?: string;
  memory?: string;
  blkio?: string;
}

/**
 * libvirt's nested layout puts the domain's threads in <group>/libvirt and reads CPU statistics
 * there when it exists.
 */
export function nested(fs: HostFs, dir: string): string {
  return fs.isDir(`${dir}/libvirt`) ? `${dir}/libvirt` : dir;
}

/**
 * The domain's groups from its QEMU process's /proc/<pid>/cgroup text. Throws ParseError for a
 * malformed file and CgroupPathError for a group path that is not plain.
 */
export function locateDomainCgroups(fs: HostFs, mode: CgroupMode, cgroupText: string, pid: number): DomainCgroups {
  const lines: ProcCgroupLine[] = parseProcPidCgroup(cgroupText, `/proc/${pid}/cgroup`);
  const groupOf = (processPath: string) => {
    try {
      return domainGroupPath(processPath);
    } catch (e) {
      throw e instanceof HostPathError ? new CgroupPathError(pid, processPath) : e;
    }
  };
  const out: DomainCgroups = { mode };
  const root2 = v2Root(mode);
  const unified = lines.find((l) => l.hierarchy === 0 && l.controllers.length === 0);
  if (root2 !== null && unified !== undefined) {
    const g = groupOf(unified.path);
    if (g !== null && fs.isDir(root2 + g)) {
      out.v2 = root2 + g;
      out.v2Stats = nested(fs, out.v2);
    }
  }
  /** The domain's directory of a v1 controller, or undefined. */
  const v1Dir = (controller: V1Controller): string | undefined => {
    const line = mode === 'v2' ? undefined : lines.find((l) => l.controllers.includes(controller));
    const root = line === undefined ? null : v1Root(fs, controller);
    if (line === undefined || root === null) return undefined;
    const g = groupOf(line.path);
    return g !== null && fs.isDir(root + g) ? root + g : undefined;
  };
  const acct = v1Dir('cpuacct');
  if (acct !== undefined) {
    out.cpuacct = acct;
    out.cpuacctStats = nested(fs, acct);
  }
  for (const c of ['cpu', 'memory', 'blkio'] as const) {
    const dir = v1Dir(c);
    if (dir !== undefined) out[c] = dir;
  }
  return out;
}

/**
 * Where a domain's CPU time is read, in libvirt's order of preference: the cgroup v2 cpu.stat,
 * then v1 cpuacct (usage and stat), then the QEMU process's own times (a domain without a cgroup
 * of its own). The driver falls to the next while a source's files are gone; the plan reads the first.
 */
export type CpuSource = { kind: 'v2'; stat: string } | { kind: 'cpuacct'; usage: string; stat: string } | { kind: 'proc' };

export function cpuSources(cg: DomainCgroups | null): CpuSource[] {
  const out: CpuSource[] = [];
  if (cg?.v2 !== undefined) out.push({ kind: 'v2', stat: `${cg.v2Stats ?? cg.v2}/cpu.stat` });
  if (cg?.cpuacct !== undefined) {
    const dir = cg.cpuacctStats ?? cg.cpuacct;
    out.push({ kind: 'cpuacct', usage: `${dir}/cpuacct.usage`, stat: `${dir}/cpuacct.stat` });
  }
  out.push({ kind: 'proc' });
  return out;
}
