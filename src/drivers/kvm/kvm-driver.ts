// The QEMU/KVM driver, from host files only (no libvirtd, no QEMU monitor): CPU from the domain's
// cgroup (or /proc/<pid>/stat when it has none), vCPU times from the vCPU threads, RSS from the
// QEMU process, network from the tap devices in /proc/net/dev, block counters for disks backed by
// a host block device, and domstat's own extra.io.* from /proc/<pid>/io.

import type { Domain } from '../../stats/domain.js';
import type { DiskDef } from '../../stats/domain.js';
import { HostFs, HostReadError, isGone } from '../../host/hostfs.js';
import { CGROUP_CPU_STAT, CGROUP_CPU_STAT_KEYS, parseCgroupCpuStat } from '../../kernel/cgroup-cpu-stat.js';
import {
  CPUACCT_PERCPU,
  CPUACCT_STAT,
  CPUACCT_STAT_KEYS,
  CPUACCT_USAGE,
  CPUACCT_USAGE_KEYS,
  parseCpuacctPercpu,
  parseCpuacctStat,
  parseCpuacctUsage,
} from '../../kernel/cpuacct.js';
import { CPU_PRESENT, parseCpuList } from '../../kernel/cpu-list.js';
import { parseProcPidIo, PROC_IO_KEYS, PROC_PID_IO } from '../../kernel/proc-pid-io.js';
import { PROC_PID_CGROUP } from '../../kernel/proc-pid-cgroup.js';
import { parseSchedWaitSumNs, SCHED, SCHED_WAIT_KEY } from '../../kernel/proc-pid-sched.js';
import { parseProcSchedstat, SCHEDSTAT, SCHEDSTAT_KEYS } from '../../kernel/proc-pid-schedstat.js';
import { parseProcPidStat, PROC_PID_STAT, PROC_STAT_CPU_KEYS, PROC_STAT_RSS_KEYS, PROC_STAT_VCPU_KEYS, type ProcPidStat } from '../../kernel/proc-pid-stat.js';
import { BLOCK_SIZE, BLOCK_SIZE_KEYS, BLOCK_STAT, BLOCK_STAT_KEYS, parseBlockSize, parseSysBlockStat, type SysBlockStat } from '../../kernel/sys-block-stat.js';
import { exactKey, keyAt, valuesOf } from '../../kernel/spec.js';
import { ParseError } from '../../kernel/u64.js';
import { internalError, invalidArg, operationInvalid, operationUnsupported, detailOf, systemError } from '../../stats/errors.js';
import { hasFlag, StatsFlag, StatsGroup } from '../../stats/groups.js';
import { isActive } from '../../stats/states.js';
import { ParamList, type TypedParam } from '../../stats/typed-params.js';
import { UNSUPPORTED, type BlockStats, type InterfaceStats } from '../../stats/structs.js';
import type { DomainPlan } from '../../sample/plan.js';
import type { RowMap } from '../../sample/row-map.js';
import { emitBalloonDefinition, emitBlock, emitInterfaces, emitKeys, emitState, emitVcpuCounts, interfaceStatsFor, requireActive } from '../common-groups.js';
import { findDisk } from '../devices.js';
import type { CollectContext, CpuStatsParams, Driver } from '../driver.js';
import { resolveBlockDevice, sysDevBlock, type DevNumber } from './block-device.js';
import { CgroupPathError, cpuSources, detectCgroupMode, locateDomainCgroups, type CgroupMode, type DomainCgroups } from './cgroup.js';
import { kvmPlan } from './kvm-plan.js';
import { CGROUP_GROUPS, emitCgroupGroups } from './cgroup-groups.js';

export const MemoryStatTag = { ACTUAL_BALLOON: 6, RSS: 7 } as const;
/** virsh's remote-protocol limits for virDomainGetCPUStats. */
export const CPU_STATS_MAX_CPUS = 128;
export const CPU_STATS_MAX_PARAMS = 16;

/** cpu.time, cpu.user and cpu.system, by key, in that order (user and system may be unknown). */
type CpuTotals = Map<string, bigint | undefined>;

/** virDomainGetCPUStats' total parameters, and the domstats keys they hold. */
const CPU_STATS_TOTAL: readonly [param: string, key: string][] = [
  ['cpu_time', 'cpu.time'],
  ['user_time', 'cpu.user'],
  ['system_time', 'cpu.system'],
];
/** virDomainBlockStatsFlags' parameters (QEMU's names and order), and the domstats keys they sum. */
const BLOCK_STATS_FLAGS: readonly [param: string, key: string][] = [
  ['wr_bytes', 'block.{i}.wr.bytes'],
  ['wr_operations', 'block.{i}.wr.reqs'],
  ['rd_bytes', 'block.{i}.rd.bytes'],
  ['rd_operations', 'block.{i}.rd.reqs'],
  ['flush_operations', 'block.{i}.fl.reqs'],
  ['wr_total_times', 'block.{i}.wr.times'],
  ['rd_total_times', 'block.{i}.rd.times'],
  ['flush_total_times', 'block.{i}.fl.times'],
];

export interface Resolved {
  cgroups: DomainCgroups | null;
  /**
   * Why the domain's cgroups could not be located (a malformed or unreadable /proc/<pid>/cgroup,
   * a group path that is not plain): its CPU figures are left out with this problem, as libvirt
   * leaves them out of a domain it has no cgroup for. Nothing else depends on the cgroup.
   */
  cgroupProblem?: string;
  /** Per disk index: the host block device, or null when the disk is not one. */
  blockDevs: (DevNumber | null)[];
}

const proc = (pid: number, rest: string) => `/proc/${pid}${rest}`;

export class KvmDriver implements Driver {
  readonly name = 'kvm';
  readonly supportedGroups =
    StatsGroup.STATE | StatsGroup.CPU_TOTAL | StatsGroup.BALLOON | StatsGroup.VCPU | StatsGroup.INTERFACE | StatsGroup.BLOCK | StatsGroup.EXTRA | CGROUP_GROUPS;
  private mode?: CgroupMode;
  /** Resolution per domain object: cgroups and block devices, once per inventory change. */
  private readonly resolved = new WeakMap<Domain, Resolved>();

  cgroupMode(fs: HostFs): CgroupMode {
    return (this.mode ??= detectCgroupMode(fs));
  }

  plan(dom: Domain, fs: HostFs, map: RowMap): DomainPlan | null {
    return kvmPlan(dom, fs, map, this);
  }

  /** Resolutions are kept per domain object: a new inventory's domains are resolved afresh. */
  reset(): void {}

  /** Linux's counters in /proc and /sys are 64 bits wide. */
  wrap32(): boolean {
    return false;
  }

  /** The domain's cgroups and host block devices (also what the agent's sampling plan reads). */
  resolve(dom: Domain, fs: HostFs): Resolved {
    let r = this.resolved.get(dom);
    if (r !== undefined) return r;
    let cgroups: DomainCgroups | null = null;
    let cgroupProblem: string | undefined;
    if (dom.pid !== undefined && isActive(dom.state)) {
      const path = proc(dom.pid, '/cgroup');
      try {
        const text = fs.readOnce(path, PROC_PID_CGROUP.limit);
        if (isGone(text)) throw operationInvalid(`domain is not running (process ${dom.pid} is gone)`);
        cgroups = locateDomainCgroups(fs, this.cgroupMode(fs), text, dom.pid);
      } catch (e) {
        if (!(e instanceof ParseError || e instanceof CgroupPathError || e instanceof HostReadError)) throw e;
        cgroupProblem = e.message;
      }
    }
    const blockDevs = dom.disks.map((d) => (d.type === 'block' && d.source !== undefined ? resolveBlockDevice(fs, d.source) : null));
    r = cgroupProblem === undefined ? { cgroups, blockDevs } : { cgroups, cgroupProblem, blockDevs };
    this.resolved.set(dom, r);
    return r;
  }

  private requirePid(dom: Domain): number {
    requireActive(dom);
    if (dom.pid === undefined) throw operationInvalid('domain has no QEMU process id in its status XML');
    return dom.pid;
  }

  private readProcStat(fs: HostFs, pid: number, rest = '/stat'): ProcPidStat {
    const path = proc(pid, rest);
    const text = fs.readText(path, PROC_PID_STAT.limit);
    if (isGone(text)) throw operationInvalid(`domain is not running (${path} is gone)`);
    return parseProcPidStat(text, path);
  }

  /** cpu.time/user/system in ns, from the first of the domain's CPU sources (cgroup.ts) whose files are there. */
  cpuTotals(dom: Domain, fs: HostFs): CpuTotals {
    const pid = this.requirePid(dom);
    const { cgroups: cg, cgroupProblem } = this.resolve(dom, fs);
    if (cgroupProblem !== undefined) throw internalError(cgroupProblem);
    let missing: string | undefined;
    for (const src of cpuSources(cg)) {
      if (src.kind === 'v2') {
        const text = fs.readText(src.stat, CGROUP_CPU_STAT.limit);
        if (!isGone(text)) return valuesOf(CGROUP_CPU_STAT_KEYS, parseCgroupCpuStat(text, src.stat));
        missing ??= src.stat;
      } else if (src.kind === 'cpuacct') {
        const usage = fs.readText(src.usage, CPUACCT_USAGE.limit);
        const stat = fs.readText(src.stat, CPUACCT_STAT.limit);
        if (!isGone(usage) && !isGone(stat)) {
          return new Map([
            ...valuesOf(CPUACCT_USAGE_KEYS, parseCpuacctUsage(usage, src.usage)),
            ...valuesOf(CPUACCT_STAT_KEYS, parseCpuacctStat(stat, src.stat)),
          ]);
        }
        missing ??= isGone(usage) ? src.usage : src.stat;
      } else if (missing === undefined) {
        return valuesOf(PROC_STAT_CPU_KEYS, this.readProcStat(fs, pid));
      } else {
        // The domain has a cgroup and its CPU files are gone. The QEMU process's own times are
        // another counter (without its vhost threads, say) and must not stand in: stored, a
        // false reset and a false increase would follow. libvirt leaves the fields out too.
        const located = [cg?.v2, cg?.cpuacct].filter((d): d is string => d !== undefined);
        if (!located.some((d) => fs.isDir(d))) throw operationInvalid(`domain is not running (${located[0]} is gone)`);
        throw systemError(`Failed to open file '${missing}'`, 'No such file or directory');
      }
    }
    throw internalError('no CPU source'); // cpuSources() always ends with the process
  }

  /** Host-side vCPU figures of vCPU `id` from its thread's stat, sched and schedstat files, as parameters. */
  private vcpuThread(fs: HostFs, pid: number, tid: number, id: number): TypedParam[] {
    const p = new ParamList();
    p.int(`vcpu.${id}.state`, 1);
    emitKeys(p, PROC_STAT_VCPU_KEYS, this.readProcStat(fs, pid, `/task/${tid}/stat`), id);
    const schedPath = proc(pid, `/task/${tid}/sched`);
    const sched = fs.readText(schedPath, SCHED.limit);
    if (!isGone(sched)) p.ullong(keyAt(SCHED_WAIT_KEY, id), parseSchedWaitSumNs(sched, schedPath));
    const ssPath = proc(pid, `/task/${tid}/schedstat`);
    const ss = fs.readText(ssPath, SCHEDSTAT.limit);
    if (!isGone(ss)) emitKeys(p, SCHEDSTAT_KEYS, parseProcSchedstat(ss, ssPath), id);
    return p.params;
  }

  rssKiB(dom: Domain, fs: HostFs): bigint {
    return exactKey(PROC_STAT_RSS_KEYS[0]!, this.readProcStat(fs, this.requirePid(dom)))!;
  }

  /** /sys/dev/block/MAJ:MIN/stat and size for a disk backed by a host block device. */
  private hostBlock(dom: Domain, index: number, fs: HostFs): { stat: SysBlockStat; size?: { sectors: bigint } } | null {
    const dev = this.resolve(dom, fs).blockDevs[index];
    if (dev === null || dev === undefined) return null;
    const dir = sysDevBlock(dev);
    const text = fs.readText(`${dir}/stat`, BLOCK_STAT.limit);
    if (isGone(text)) return null;
    const out: { stat: SysBlockStat; size?: { sectors: bigint } } = { stat: parseSysBlockStat(text, `${dir}/stat`) };
    const size = fs.readText(`${dir}/size`, BLOCK_SIZE.limit);
    if (!isGone(size)) out.size = parseBlockSize(size, `${dir}/size`);
    return out;
  }

  private diskBlock(dom: Domain, disk: DiskDef, fs: HostFs) {
    const b = this.hostBlock(dom, dom.disks.indexOf(disk), fs);
    if (b === null)
      throw operationUnsupported(`statistics of disk '${disk.target ?? ''}' are kept by QEMU: only disks backed by a host block device have host counters`);
    return b.stat;
  }

  /** The block counters of one disk (or, for the empty path, the sum of all), by key; a sum is unknown where one disk's is. */
  private blockSum(dom: Domain, path: string, fs: HostFs): Map<string, bigint | undefined> {
    requireActive(dom);
    const disks = path === '' ? dom.disks : [findDisk(dom.disks, path)];
    if (disks.length === 0) throw invalidArg('invalid path: ');
    const sum = new Map<string, bigint | undefined>(BLOCK_STAT_KEYS.map((k) => [k.key, 0n]));
    for (const disk of disks) {
      const s = this.diskBlock(dom, disk, fs);
      for (const k of BLOCK_STAT_KEYS) {
        const v = exactKey(k, s);
        const t = sum.get(k.key);
        sum.set(k.key, t === undefined || v === undefined ? undefined : t + v);
      }
    }
    return sum;
  }

  blockStats(dom: Domain, path: string, ctx: CollectContext): BlockStats {
    const s = this.blockSum(dom, path, ctx.fs);
    const v = (key: string) => s.get(key) ?? UNSUPPORTED;
    return {
      rd_req: v('block.{i}.rd.reqs'),
      rd_bytes: v('block.{i}.rd.bytes'),
      wr_req: v('block.{i}.wr.reqs'),
      wr_bytes: v('block.{i}.wr.bytes'),
      errs: UNSUPPORTED,
    };
  }

  /** QEMU's typed names and emit order. */
  blockStatsFlags(dom: Domain, path: string, ctx: CollectContext): TypedParam[] {
    const s = this.blockSum(dom, path, ctx.fs);
    const p = new ParamList();
    for (const [param, key] of BLOCK_STATS_FLAGS) p.llong(param, s.get(key));
    return p.params;
  }

  interfaceStats(dom: Domain, device: string, ctx: CollectContext): InterfaceStats {
    return interfaceStatsFor(dom, device, ctx);
  }

  memoryStats(dom: Domain, ctx: CollectContext): { tag: number; val: bigint }[] {
    requireActive(dom);
    const out: { tag: number; val: bigint }[] = [];
    if (dom.currentMemoryKiB !== undefined) out.push({ tag: MemoryStatTag.ACTUAL_BALLOON, val: dom.currentMemoryKiB });
    out.push({ tag: MemoryStatTag.RSS, val: this.rssKiB(dom, ctx.fs) });
    return out;
  }

  /** Present host CPUs: libvirt sizes per-CPU results by the present bitmap. */
  presentCpus(fs: HostFs): number[] {
    const text = fs.readText(CPU_PRESENT.path, CPU_PRESENT.limit);
    if (isGone(text)) throw internalError(`cannot read ${CPU_PRESENT.path}`);
    return parseCpuList(text, CPU_PRESENT.path);
  }

  maxCpus(ctx: CollectContext): number {
    const cpus = this.presentCpus(ctx.fs);
    return cpus.length === 0 ? 0 : Math.max(...cpus) + 1;
  }

  cpuStats(dom: Domain, startCpu: number, ncpus: number, ctx: CollectContext): CpuStatsParams {
    const fs = ctx.fs;
    if (startCpu === -1) {
      if (ncpus !== 1) throw invalidArg('ncpus must be 1 when start_cpu is -1');
      const t = this.cpuTotals(dom, fs);
      const p = new ParamList();
      for (const [param, key] of CPU_STATS_TOTAL) p.ullong(param, t.get(key));
      return { cpus: [{ cpu: 'total', params: p.params }] };
    }
    if (startCpu < 0) throw invalidArg('start_cpu must be -1 or a CPU number');
    if (ncpus < 0 || ncpus > CPU_STATS_MAX_CPUS) throw invalidArg(`ncpus must be between 0 and ${CPU_STATS_MAX_CPUS}`);
    this.requirePid(dom);
    const { cgroups: cg, cgroupProblem } = this.resolve(dom, fs);
    if (cgroupProblem !== undefined) throw internalError(cgroupProblem);
    if (cg?.cpuacct === undefined) {
      if (cg?.v2 !== undefined) throw operationUnsupported("operation 'getCpuacctPercpuUsage' not supported for backend 'cgroup V2'");
      throw operationInvalid('cgroup CPUACCT controller is not mounted');
    }
    const present = this.presentCpus(fs);
    const max = present.length === 0 ? 0 : Math.max(...present) + 1;
    if (startCpu >= max) throw invalidArg(`start_cpu ${startCpu} larger than maximum of ${max - 1}`);
    const dir = cg.cpuacctStats ?? cg.cpuacct;
    const perCpu = (d: string) => {
      const path = `${d}/cpuacct.usage_percpu`;
      const text = fs.readText(path, CPUACCT_PERCPU.limit);
      if (isGone(text)) throw operationInvalid(`domain is not running (${path} is gone)`);
      // Tokens belong to present CPUs in order; absent CPUs read as 0.
      const tokens = parseCpuacctPercpu(text, path);
      const byCpu = new Map<number, bigint>();
      present.forEach((c, i) => byCpu.set(c, tokens[i] ?? 0n));
      return byCpu;
    };
    const total = perCpu(dir);
    const vcpuDirs = [...dom.vcpuPids.keys()]
      .sort((a, b) => a - b)
      .map((id) => `${dir}/vcpu${id}`)
      .filter((d) => fs.isDir(d));
    const vcpus = vcpuDirs.map(perCpu);
    const cpus: CpuStatsParams['cpus'] = [];
    for (let c = startCpu; c < Math.min(startCpu + ncpus, max); c++) {
      const p = new ParamList();
      p.ullong('cpu_time', total.get(c) ?? 0n);
      if (vcpus.length > 0)
        p.ullong(
          'vcpu_time',
          vcpus.reduce((s, m) => s + (m.get(c) ?? 0n), 0n),
        );
      cpus.push({ cpu: c, params: p.params });
    }
    return { cpus };
  }

  domainStats(dom: Domain, groups: number, flags: number, ctx: CollectContext): TypedParam[] {
    const p = new ParamList();
    const fs = ctx.fs;
    const active = isActive(dom.state);
    const guard = (what: string, fn: () => void) => {
      try {
        fn();
      } catch (e) {
        if (!(e instanceof Error)) throw e;
        ctx.problem(dom, `${what}: ${detailOf(e)}`);
      }
    };
    if (groups & StatsGroup.STATE) emitState(p, dom);
    if (groups & StatsGroup.CPU_TOTAL && active) {
      guard('cpu-total', () => {
        for (const [key, v] of this.cpuTotals(dom, fs)) p.ullong(key, v);
      });
    }
    if (groups & StatsGroup.BALLOON) {
      emitBalloonDefinition(p, dom);
      if (active) guard('balloon', () => p.ullong(PROC_STAT_RSS_KEYS[0]!.key, this.rssKiB(dom, fs)));
    }
    if (groups & StatsGroup.VCPU) {
      emitVcpuCounts(p, dom);
      if (active && dom.pid !== undefined) {
        const pid = dom.pid;
        for (const [id, tid] of [...dom.vcpuPids].sort((a, b) => a[0] - b[0])) {
          // like libvirt, no per-vCPU keys at all for a thread that cannot be read
          guard(`vcpu ${id}`, () => p.params.push(...this.vcpuThread(fs, pid, tid, id)));
        }
      }
    }
    if (groups & StatsGroup.INTERFACE) emitInterfaces(p, dom, ctx);
    if (groups & StatsGroup.BLOCK) {
      emitBlock(p, dom, hasFlag(flags, StatsFlag.BACKING), (disk, i, k) => {
        if (!active) return;
        guard(`block ${disk.target ?? i}`, () => {
          const b = this.hostBlock(dom, i, fs);
          if (b === null) return;
          emitKeys(p, BLOCK_STAT_KEYS, b.stat, k);
          if (b.size !== undefined) emitKeys(p, BLOCK_SIZE_KEYS, b.size, k);
        });
      });
    }
    if (groups & StatsGroup.EXTRA && active && dom.pid !== undefined) {
      const pid = dom.pid;
      guard('extra.io', () => {
        const path = proc(pid, '/io');
        const text = fs.readText(path, PROC_PID_IO.limit);
        if (isGone(text)) throw operationInvalid(`domain is not running (${path} is gone)`);
        emitKeys(p, PROC_IO_KEYS, parseProcPidIo(text, path));
      });
    }
    if (groups & CGROUP_GROUPS && active) {
      guard('cgroup', () => {
        this.requirePid(dom);
        const { cgroups, cgroupProblem } = this.resolve(dom, fs);
        if (cgroupProblem !== undefined) throw internalError(cgroupProblem);
        emitCgroupGroups(p, groups, cgroups, fs, (group, message) => ctx.problem(dom, `${group}: ${message}`), dom.disks);
      });
    }
    return p.params;
  }
}
