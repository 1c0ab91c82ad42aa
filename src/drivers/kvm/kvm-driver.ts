// The QEMU/KVM driver, from host files only (no libvirtd, no QEMU monitor): CPU from the domain's
// cgroup (or /proc/<pid>/stat when it has none), vCPU times from the vCPU threads, RSS from the
// QEMU process, network from the tap devices in /proc/net/dev, block counters for disks backed by
// a host block device, and domstat's own extra.io.* from /proc/<pid>/io.

import type { Domain } from '../../stats/domain.js';
import type { DiskDef } from '../../stats/domain.js';
import { HostFs, HostReadError, isGone } from '../../host/hostfs.js';
import { parseCgroupCpuStat } from '../../parse/cgroup-cpu-stat.js';
import { parseCpuacctPercpu, parseCpuacctStat } from '../../parse/cpuacct.js';
import { parseCpuList } from '../../parse/cpu-list.js';
import { parseProcPidIo, PROC_IO_KEYS } from '../../parse/proc-pid-io.js';
import { parseSchedWaitSumNs } from '../../parse/proc-pid-sched.js';
import { parseProcSchedstat } from '../../parse/proc-pid-schedstat.js';
import { parseProcPidStat, type ProcPidStat } from '../../parse/proc-pid-stat.js';
import { parseSysBlockStat, type SysBlockStat } from '../../parse/sys-block-stat.js';
import { ParseError, parseSingleU64 } from '../../parse/u64.js';
import { internalError, invalidArg, operationInvalid, operationUnsupported, detailOf } from '../../stats/errors.js';
import { hasFlag, StatsFlag, StatsGroup } from '../../stats/groups.js';
import { isActive } from '../../stats/states.js';
import { ParamList, type TypedParam } from '../../stats/typed-params.js';
import { UNSUPPORTED, type BlockStats, type InterfaceStats } from '../../stats/structs.js';
import { emitBalloonDefinition, emitBlock, emitInterfaces, emitState, emitVcpuCounts, interfaceStatsFor, requireActive } from '../common-groups.js';
import { findDisk } from '../devices.js';
import type { CollectContext, CpuStatsParams, Driver } from '../driver.js';
import { resolveBlockDevice, sysDevBlock, type DevNumber } from './block-device.js';
import { CgroupPathError, detectCgroupMode, locateDomainCgroups, type CgroupMode, type DomainCgroups } from './cgroup.js';

/** USER_HZ is 100 on every Linux ABI domstat runs on; ticks -> ns. */
const NS_PER_TICK = 10_000_000n;
const PAGE_KIB = 4n;
const NS_PER_US = 1000n;
const NS_PER_MS = 1_000_000n;
const SECTOR = 512n;

export const MemoryStatTag = { ACTUAL_BALLOON: 6, RSS: 7 } as const;
/** virsh's remote-protocol limits for virDomainGetCPUStats. */
export const CPU_STATS_MAX_CPUS = 128;
export const CPU_STATS_MAX_PARAMS = 16;

interface CpuTotals {
  time: bigint;
  user?: bigint;
  system?: bigint;
}

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
    StatsGroup.STATE | StatsGroup.CPU_TOTAL | StatsGroup.BALLOON | StatsGroup.VCPU | StatsGroup.INTERFACE | StatsGroup.BLOCK | StatsGroup.EXTRA;
  private mode?: CgroupMode;
  /** Resolution per domain object: cgroups and block devices, once per inventory change. */
  private readonly resolved = new WeakMap<Domain, Resolved>();

  cgroupMode(fs: HostFs): CgroupMode {
    return (this.mode ??= detectCgroupMode(fs));
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
        const text = fs.readText(path, 64 * 1024);
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
    const text = fs.readText(path, 4096);
    if (isGone(text)) throw operationInvalid(`domain is not running (${path} is gone)`);
    return parseProcPidStat(text, path);
  }

  /** cpu.time/user/system in ns: cgroup v2 cpu.stat, else v1 cpuacct, else the QEMU process. */
  cpuTotals(dom: Domain, fs: HostFs): CpuTotals {
    const pid = this.requirePid(dom);
    const { cgroups: cg, cgroupProblem } = this.resolve(dom, fs);
    if (cgroupProblem !== undefined) throw internalError(cgroupProblem);
    if (cg?.v2 !== undefined) {
      const path = `${cg.v2Stats ?? cg.v2}/cpu.stat`;
      const text = fs.readText(path, 64 * 1024);
      if (!isGone(text)) {
        const s = parseCgroupCpuStat(text, path);
        const r: CpuTotals = { time: s.usageUsec * NS_PER_US };
        if (s.userUsec !== undefined) r.user = s.userUsec * NS_PER_US;
        if (s.systemUsec !== undefined) r.system = s.systemUsec * NS_PER_US;
        return r;
      }
    }
    if (cg?.cpuacct !== undefined) {
      const dir = cg.cpuacctStats ?? cg.cpuacct;
      const usage = fs.readText(`${dir}/cpuacct.usage`, 64);
      const stat = fs.readText(`${dir}/cpuacct.stat`, 4096);
      if (!isGone(usage) && !isGone(stat)) {
        const s = parseCpuacctStat(stat, `${dir}/cpuacct.stat`);
        return { time: parseSingleU64(usage, `${dir}/cpuacct.usage`), user: s.userTicks * NS_PER_TICK, system: s.systemTicks * NS_PER_TICK };
      }
    }
    // A group that was found and is gone now (removed mid-read, domain stopping): libvirt leaves
    // the fields out. The QEMU process's own times are another counter and must not stand in.
    const located = [cg?.v2, cg?.cpuacct].filter((d): d is string => d !== undefined);
    if (located.length > 0 && !located.some((d) => fs.isDir(d))) throw operationInvalid(`domain is not running (${located[0]} is gone)`);
    const st = this.readProcStat(fs, pid);
    return { time: (st.utimeTicks + st.stimeTicks) * NS_PER_TICK, user: st.utimeTicks * NS_PER_TICK, system: st.stimeTicks * NS_PER_TICK };
  }

  /** Host-side vCPU figures from the vCPU thread's stat, sched and schedstat files. */
  private vcpuThread(fs: HostFs, pid: number, tid: number): { time?: bigint; wait?: bigint; delay?: bigint } {
    const out: { time?: bigint; wait?: bigint; delay?: bigint } = {};
    const st = this.readProcStat(fs, pid, `/task/${tid}/stat`);
    out.time = (st.utimeTicks + st.stimeTicks) * NS_PER_TICK;
    const schedPath = proc(pid, `/task/${tid}/sched`);
    const sched = fs.readText(schedPath, 64 * 1024);
    if (!isGone(sched)) {
      const w = parseSchedWaitSumNs(sched, schedPath);
      if (w !== undefined) out.wait = w;
    }
    const ssPath = proc(pid, `/task/${tid}/schedstat`);
    const ss = fs.readText(ssPath, 256);
    if (!isGone(ss)) out.delay = parseProcSchedstat(ss, ssPath).waitNs;
    return out;
  }

  rssKiB(dom: Domain, fs: HostFs): bigint {
    return this.readProcStat(fs, this.requirePid(dom)).rssPages * PAGE_KIB;
  }

  /** /sys/dev/block/MAJ:MIN/stat and size for a disk backed by a host block device. */
  private hostBlock(dom: Domain, index: number, fs: HostFs): { stat: SysBlockStat; sizeBytes?: bigint } | null {
    const dev = this.resolve(dom, fs).blockDevs[index];
    if (dev === null || dev === undefined) return null;
    const dir = sysDevBlock(dev);
    const text = fs.readText(`${dir}/stat`, 4096);
    if (isGone(text)) return null;
    const out: { stat: SysBlockStat; sizeBytes?: bigint } = { stat: parseSysBlockStat(text, `${dir}/stat`) };
    const size = fs.readText(`${dir}/size`, 64);
    if (!isGone(size)) out.sizeBytes = parseSingleU64(size, `${dir}/size`) * SECTOR;
    return out;
  }

  private diskBlock(dom: Domain, disk: DiskDef, fs: HostFs) {
    const b = this.hostBlock(dom, dom.disks.indexOf(disk), fs);
    if (b === null)
      throw operationUnsupported(`statistics of disk '${disk.target ?? ''}' are kept by QEMU: only disks backed by a host block device have host counters`);
    return b.stat;
  }

  private blockSum(
    dom: Domain,
    path: string,
    fs: HostFs,
  ): { rdReq: bigint; rdBytes: bigint; rdMs: bigint; wrReq: bigint; wrBytes: bigint; wrMs: bigint; flReq?: bigint; flMs?: bigint } {
    requireActive(dom);
    const disks = path === '' ? dom.disks : [findDisk(dom.disks, path)];
    if (disks.length === 0) throw invalidArg('invalid path: ');
    const sum = { rdReq: 0n, rdBytes: 0n, rdMs: 0n, wrReq: 0n, wrBytes: 0n, wrMs: 0n, flReq: 0n as bigint | undefined, flMs: 0n as bigint | undefined };
    for (const disk of disks) {
      const s = this.diskBlock(dom, disk, fs);
      sum.rdReq += s.readIos;
      sum.rdBytes += s.readSectors * SECTOR;
      sum.rdMs += s.readTicksMs;
      sum.wrReq += s.writeIos;
      sum.wrBytes += s.writeSectors * SECTOR;
      sum.wrMs += s.writeTicksMs;
      sum.flReq = sum.flReq === undefined || s.flushIos === undefined ? undefined : sum.flReq + s.flushIos;
      sum.flMs = sum.flMs === undefined || s.flushTicksMs === undefined ? undefined : sum.flMs + s.flushTicksMs;
    }
    const { flReq, flMs, ...rest } = sum;
    return { ...rest, ...(flReq !== undefined ? { flReq } : {}), ...(flMs !== undefined ? { flMs } : {}) };
  }

  blockStats(dom: Domain, path: string, ctx: CollectContext): BlockStats {
    const s = this.blockSum(dom, path, ctx.fs);
    return { rd_req: s.rdReq, rd_bytes: s.rdBytes, wr_req: s.wrReq, wr_bytes: s.wrBytes, errs: UNSUPPORTED };
  }

  /** QEMU's typed names and emit order. */
  blockStatsFlags(dom: Domain, path: string, ctx: CollectContext): TypedParam[] {
    const s = this.blockSum(dom, path, ctx.fs);
    const p = new ParamList();
    p.llong('wr_bytes', s.wrBytes);
    p.llong('wr_operations', s.wrReq);
    p.llong('rd_bytes', s.rdBytes);
    p.llong('rd_operations', s.rdReq);
    p.llong('flush_operations', s.flReq);
    p.llong('wr_total_times', s.wrMs * NS_PER_MS);
    p.llong('rd_total_times', s.rdMs * NS_PER_MS);
    p.llong('flush_total_times', s.flMs === undefined ? undefined : s.flMs * NS_PER_MS);
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
    const path = '/sys/devices/system/cpu/present';
    const text = fs.readText(path, 4096);
    if (isGone(text)) throw internalError(`cannot read ${path}`);
    return parseCpuList(text, path);
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
      p.ullong('cpu_time', t.time);
      p.ullong('user_time', t.user);
      p.ullong('system_time', t.system);
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
      const text = fs.readText(path, 256 * 1024);
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
        const t = this.cpuTotals(dom, fs);
        p.ullong('cpu.time', t.time);
        p.ullong('cpu.user', t.user);
        p.ullong('cpu.system', t.system);
      });
    }
    if (groups & StatsGroup.BALLOON) {
      emitBalloonDefinition(p, dom);
      if (active) guard('balloon', () => p.ullong('balloon.rss', this.rssKiB(dom, fs)));
    }
    if (groups & StatsGroup.VCPU) {
      emitVcpuCounts(p, dom);
      if (active && dom.pid !== undefined) {
        const pid = dom.pid;
        for (const [id, tid] of [...dom.vcpuPids].sort((a, b) => a[0] - b[0])) {
          guard(`vcpu ${id}`, () => {
            const v = this.vcpuThread(fs, pid, tid);
            // like libvirt, no per-vCPU keys at all for a thread that cannot be read
            p.int(`vcpu.${id}.state`, 1);
            p.ullong(`vcpu.${id}.time`, v.time);
            p.ullong(`vcpu.${id}.wait`, v.wait);
            p.ullong(`vcpu.${id}.delay`, v.delay);
          });
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
          const s = b.stat;
          p.ullong(`block.${k}.rd.reqs`, s.readIos);
          p.ullong(`block.${k}.rd.bytes`, s.readSectors * SECTOR);
          p.ullong(`block.${k}.rd.times`, s.readTicksMs * NS_PER_MS);
          p.ullong(`block.${k}.wr.reqs`, s.writeIos);
          p.ullong(`block.${k}.wr.bytes`, s.writeSectors * SECTOR);
          p.ullong(`block.${k}.wr.times`, s.writeTicksMs * NS_PER_MS);
          p.ullong(`block.${k}.fl.reqs`, s.flushIos);
          p.ullong(`block.${k}.fl.times`, s.flushTicksMs === undefined ? undefined : s.flushTicksMs * NS_PER_MS);
          p.ullong(`block.${k}.capacity`, b.sizeBytes);
          p.ullong(`block.${k}.physical`, b.sizeBytes);
        });
      });
    }
    if (groups & StatsGroup.EXTRA && active && dom.pid !== undefined) {
      const pid = dom.pid;
      guard('extra.io', () => {
        const path = proc(pid, '/io');
        const text = fs.readText(path, 4096);
        if (isGone(text)) throw operationInvalid(`domain is not running (${path} is gone)`);
        const io = parseProcPidIo(text, path);
        for (const k of PROC_IO_KEYS) p.ullong(`extra.io.${k}`, io[k]);
      });
    }
    return p.params;
  }
}
