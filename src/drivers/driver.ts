// What a hypervisor driver provides, and the per-collection context it reads through. A driver
// implements what it can; a missing method means "unsupported" and callers answer with libvirt's
// text. One CollectContext is one collection: /proc/net/dev is read once for all domains in it.

import { HostFs, HostReadError, isGone } from '../host/hostfs.js';
import type { Domain } from '../stats/domain.js';
import { ProcNetDev } from '../parse/proc-net-dev.js';
import { ParseError } from '../parse/u64.js';
import { internalError, VirError } from '../stats/errors.js';
import type { TypedParam } from '../stats/typed-params.js';
import type { BlockStats, InterfaceStats } from '../stats/structs.js';
import type { DomainProblem } from '../stats/records.js';

export class CollectContext {
  private netDevResult?: ProcNetDev | VirError;
  /** What could not be read, per domain, in this collection (a field or group left out). */
  readonly problems: DomainProblem[] = [];

  constructor(readonly fs: HostFs) {}

  problem(dom: Domain, message: string): void {
    this.problems.push({ domain: dom.name, message });
  }

  /** /proc/net/dev, read and indexed once per collection. */
  netDev(): ProcNetDev {
    if (this.netDevResult === undefined) {
      try {
        const text = this.fs.readText('/proc/net/dev');
        this.netDevResult = isGone(text) ? internalError('Could not open /proc/net/dev') : new ProcNetDev(text);
      } catch (e) {
        if (!(e instanceof Error)) throw e;
        // Parse and read errors name the file already.
        this.netDevResult = internalError(e instanceof ParseError || e instanceof HostReadError ? e.message : `/proc/net/dev: ${e.message}`);
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
}
