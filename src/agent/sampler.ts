// One tick of sampling: every domain, every group its driver supports (domstat's extra group
// included), and the host's totals. Running domains go through the sampling plan (files straight
// into numbers); the rest, and any domain whose files are not plainly readable this tick, through
// their driver, all within one collection context so /proc/net/dev is read once for them.

import * as os from 'node:os';
import type { Connection } from '../connection/connection.js';
import type { Domain } from '../stats/domain.js';
import { StatsGroup, LIBVIRT_GROUPS } from '../stats/groups.js';
import { domainSample, HOST_KEY, type DomainSample } from '../sample/rows.js';
import { hostSample } from './host-totals.js';
import { PlanTick, type DomainPlan } from '../sample/plan.js';
import { ReadAhead } from '../host/read-ahead.js';
import type { RowMap } from '../sample/row-map.js';
import type { SampleResult } from '../sample/tick.js';

/** Everything the agent can sample and store: libvirt's groups, extra, and domstat's cgroup groups. */
export const ALL_GROUPS =
  LIBVIRT_GROUPS | StatsGroup.EXTRA | StatsGroup.PRESSURE | StatsGroup.CGROUP_MEMORY | StatsGroup.CPU_THROTTLE | StatsGroup.CGROUP_IO | StatsGroup.NUMA;

/**
 * The groups a domain's driver is asked for when it samples the domain: all but the per-device
 * cgroup groups whose kinds the row map has no columns of (the agent keeps them only when asked).
 */
export function sampledGroups(map: RowMap): number {
  let groups = ALL_GROUPS;
  if (map.columns.cgroup_io.length === 0) groups &= ~StatsGroup.CGROUP_IO;
  if (map.columns.numa.length === 0) groups &= ~StatsGroup.NUMA;
  return groups;
}

export interface SamplerOptions {
  hostname?: string;
  /** false: every domain through its driver (the reference path the plans are tested against). */
  usePlans?: boolean;
  /**
   * Read on a second thread (see ReadAhead) once the plans read at least this many files a tick;
   * Infinity: never. Below a thousand files a tick takes about a millisecond to read, and the
   * thread costs ~10 MB of memory.
   */
  readAheadFrom?: number;
  /** How long the main thread waits for the read-ahead thread before reading a domain itself. */
  readAheadTimeoutMs?: number;
  /** Tests: let the read-ahead thread read every domain's files before the main thread starts. */
  readAheadFirst?: boolean;
}

/** The agent's default: a second reading thread on a host with more than one CPU, from 1000 files a tick. */
export function defaultReadAheadFrom(): number {
  return os.availableParallelism() > 1 ? 1000 : Infinity;
}

export class Sampler {
  readonly hostname: string;
  readonly usePlans: boolean;
  private plans = new Map<Domain, DomainPlan | null>();
  private planned: readonly Domain[] | null = null;
  private ifnames: ReadonlySet<string> = new Set();
  private ifnamesOf: readonly Domain[] | null = null;
  private readAheadFrom: number;
  private readonly readAheadTimeoutMs: number;
  private readonly readAheadFirst: boolean;
  private timeoutsSeen = 0;
  /** The read-ahead thread, and the inventory its groups were made for. */
  readAhead: ReadAhead | null = null;
  private aheadFor: readonly Domain[] | null = null;
  private readonly tick: PlanTick;
  /** The groups asked of a driver (sampledGroups). */
  private readonly groups: number;
  /** Domains the plan handed to their driver in the last tick (for tests and the benchmark). */
  careful = 0;
  /** The last tick's reads: served by the read-ahead thread, and read on the main thread. */
  readsAhead = 0;
  readsHere = 0;

  constructor(
    readonly conn: Connection,
    readonly map: RowMap,
    opts: SamplerOptions = {},
  ) {
    this.hostname = opts.hostname ?? os.hostname();
    this.usePlans = opts.usePlans ?? true;
    this.readAheadFrom = opts.readAheadFrom ?? Infinity;
    this.readAheadTimeoutMs = opts.readAheadTimeoutMs ?? 1000;
    this.readAheadFirst = opts.readAheadFirst ?? false;
    this.tick = new PlanTick(conn.fs);
    this.groups = sampledGroups(map);
  }

  private plan(dom: Domain): DomainPlan | null {
    if (!this.usePlans) return null;
    const all = this.conn.inventory().domains;
    if (this.planned !== all) {
      // A new inventory: plans are worked out again (devices, cgroups and directories may have moved).
      this.plans = new Map();
      this.planned = all;
    }
    let p = this.plans.get(dom);
    if (p === undefined) {
      p = this.conn.driverOf(dom).plan(dom, this.conn.fs, this.map);
      this.plans.set(dom, p);
    }
    return p;
  }

  /**
   * After the first tick of an inventory: the plans' files as read-ahead groups, in the order the
   * ticks take the domains (the worker starts from the end of it).
   */
  private planReadAhead(list: readonly Domain[]): void {
    const all = this.conn.inventory().domains;
    if (this.aheadFor === all || this.planned !== all) return;
    this.aheadFor = all;
    const plans = list.map((d) => this.plans.get(d)).filter((p): p is DomainPlan => p !== undefined && p !== null);
    const groups = plans.map((p) => p.files());
    const files = groups.reduce((n, g) => n + g.length, 0);
    plans.forEach((p, i) => (p.group = i));
    if (files < this.readAheadFrom && this.readAhead === null) return;
    this.readAhead ??= new ReadAhead(this.readAheadTimeoutMs);
    this.readAhead.setGroups(groups);
  }

  /** The interfaces of the inventory's domains (the rest of /proc/net/dev is the host's). */
  private domainIfnames(): ReadonlySet<string> {
    const all = this.conn.inventory().domains;
    if (this.ifnamesOf !== all) {
      this.ifnames = new Set(all.flatMap((d) => d.interfaces.flatMap((i) => (i.target === undefined ? [] : [i.target]))));
      this.ifnamesOf = all;
    }
    return this.ifnames;
  }

  sample(now = Date.now()): SampleResult {
    const t0 = process.hrtime.bigint();
    const list = this.conn.listAllDomains();
    const ra = this.readAhead !== null && this.aheadFor === this.conn.inventory().domains && this.readAhead.begin() ? this.readAhead : null;
    if (this.readAheadFirst) ra?.settle();
    const tick = this.tick.start(ra);
    // The drivers' context of this tick reads the plans' snapshot of /proc/net/dev: one read, one view.
    const ctx = this.conn.context(tick.netDevFile);
    const domains: Domain[] = [];
    const samples: DomainSample[] = [];
    this.careful = 0;
    try {
      for (const dom of list) {
        const plan = this.plan(dom);
        if (plan !== null && plan.read(tick)) {
          domains.push(dom);
          samples.push(plan.sample);
          continue;
        }
        if (plan?.stale) {
          // made again next tick, and the read-ahead groups with it
          this.plans.delete(dom);
          this.aheadFor = null;
        }
        this.careful++;
        const [rec] = this.conn.collectWith(ctx, [dom], this.groups, 0);
        if (rec === undefined) continue; // its problem is recorded
        domains.push(dom);
        samples.push(domainSample(rec, this.map, this.conn.driverOf(dom).wrap32(this.conn.fs)));
      }
    } finally {
      ra?.end();
    }
    this.readsAhead = tick.ahead;
    this.readsHere = tick.direct;
    this.planReadAhead(list);
    const hostProblems: string[] = [];
    this.readAheadProblems(hostProblems);
    samples.push(hostSample(ctx, this.map, this.domainIfnames(), this.hostname, hostProblems, tick.netDev()));
    const problems = [...ctx.problems, ...hostProblems.map((message) => ({ domain: HOST_KEY, key: HOST_KEY, message }))];
    return { ts: now, collectUs: Number((process.hrtime.bigint() - t0) / 1000n), domains, samples, problems };
  }

  /** A read-ahead thread that failed is dropped for good (the main thread reads alone); said once. */
  private readAheadProblems(out: string[]): void {
    const ra = this.readAhead;
    if (ra === null) return;
    if (ra.failure !== null) {
      out.push(`${ra.failure}; reading on the main thread from now on`);
      void ra.close();
      this.readAhead = null;
      this.readAheadFrom = Infinity;
    } else if (ra.timeouts > this.timeoutsSeen) {
      this.timeoutsSeen = ra.timeouts;
      out.push(`read-ahead thread did not answer within ${this.readAheadTimeoutMs} ms: the main thread read its domains`);
    }
  }

  /** Ends the read-ahead thread (the agent's shutdown). */
  async close(): Promise<void> {
    await this.readAhead?.close();
    this.readAhead = null;
    this.aheadFor = null;
  }
}
