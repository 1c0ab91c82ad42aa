// What a hypervisor driver provides, and the per-collection context it reads through. A driver
// implements what it can; a missing optional method means "unsupported" and callers answer with
// libvirt's text. Besides libvirt's calls, a driver gives the agent what it needs for its ticks:
// a plan per running domain (files straight into rows), a reset when the inventory changes, its
// counters' width, and the domains its host files show when libvirt keeps no definitions.
// One CollectContext is one collection: /proc/net/dev is read once for all domains in it.

import { FileSnapshot } from '../host/file-snapshot.js';
import { HostFs, HostReadError, isGone } from '../host/hostfs.js';
import { NET_DEV, ProcNetDev } from '../kernel/proc-net-dev.js';
import { ParseError } from '../kernel/u64.js';
import type { DomainPlan } from '../sample/plan.js';
import type { RowMap } from '../sample/row-map.js';
import type { Domain } from '../stats/domain.js';
import { internalError, systemError, VirError } from '../stats/errors.js';
import { strerror } from '../host/host-errors.js';
import type { DomainProblem } from '../stats/records.js';
import type { BlockStats, InterfaceStats } from '../stats/structs.js';
import type { TypedParam } from '../stats/typed-params.js';

export class CollectContext {
  private netDevResult?: ProcNetDev | VirError;
  /** What could not be read, per domain, in this collection (a field or group left out). */
  readonly problems: DomainProblem[] = [];

  constructor(
    readonly fs: HostFs,
    /** /proc/net/dev as this collection reads it (the agent's tick shares its own with the plans). */
    readonly netDevFile = new FileSnapshot(fs, NET_DEV.path, NET_DEV.limit),
  ) {}

  problem(dom: Domain, message: string): void {
    this.problems.push({ domain: dom.name, key: dom.key, message });
  }

  /** /proc/net/dev, parsed once per collection. */
  netDev(): ProcNetDev {
    if (this.netDevResult === undefined) {
      try {
        const text = this.netDevFile.text();
        // libvirt's virNetDevTapInterfaceStats: fopen failed, a system error with errno's text.
        this.netDevResult = isGone(text) ? systemError('Could not open /proc/net/dev', strerror(text.code)) : new ProcNetDev(text);
      } catch (e) {
        if (!(e instanceof ParseError || e instanceof HostReadError)) throw e;
        // Parse and read errors name the file already.
        this.netDevResult = internalError(e.message);
      }
    }
    if (this.netDevResult instanceof VirError) throw this.netDevResult;
    return this.netDevResult;
  }
}

export interface CpuStatsParams {
  /** One entry per reported CPU (or one for the total); each a list of typed params. */
  cpus: { cpu: number | 'total'; params: TypedParam[] }[];
}

export interface Driver {
  readonly name: string;
  /** Bit mask of StatsGroup values this driver can report. */
  readonly supportedGroups: number;
  /** One record's parameters for the requested groups (already masked to supported ones). */
  domainStats(dom: Domain, groups: number, flags: number, ctx: CollectContext): TypedParam[];
  interfaceStats(dom: Domain, device: string, ctx: CollectContext): InterfaceStats;
  blockStats(dom: Domain, path: string, ctx: CollectContext): BlockStats;
  blockStatsFlags(dom: Domain, path: string, ctx: CollectContext): TypedParam[];
  memoryStats?(dom: Domain, ctx: CollectContext): { tag: number; val: bigint }[];
  cpuStats?(dom: Domain, startCpu: number, ncpus: number, ctx: CollectContext): CpuStatsParams;
  /** Number of host CPUs for per-CPU queries (virDomainGetCPUStats with ncpus 0). */
  maxCpus?(ctx: CollectContext): number;

  /**
   * The agent's plan for a domain: its files, worked out once per inventory, read straight into
   * rows each tick. null: the domain is sampled through domainStats() (not running, or a device
   * the plan cannot read plainly).
   */
  plan(dom: Domain, fs: HostFs, map: RowMap): DomainPlan | null;
  /** Forget what was resolved for the previous inventory (devices may have moved). */
  reset(): void;
  /** Whether this host's counters of this driver's devices are 32 bits wide (they wrap at 2^32). */
  wrap32(fs: HostFs): boolean;
  /** Domains the host's own files show when libvirt keeps no definitions at all (a dom0 without libvirt). */
  enumerate?(fs: HostFs, looked: string[]): Domain[];
}
