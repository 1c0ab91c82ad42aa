// One tick of sampling: every domain, every group its driver supports (domstat's extra group
// included), and the host's totals. Running domains go through the sampling plan (files straight
// into numbers); the rest, and any domain whose files are not plainly readable this tick, through
// their driver, all within one collection context so /proc/net/dev is read once for them.

import * as os from 'node:os';
import type { Connection, DomainStatsRecord } from '../stats/connection.js';
import type { Domain } from '../domains/inventory.js';
import { StatsGroup, LIBVIRT_GROUPS } from '../stats/groups.js';
import type { KeyMap } from '../store/key-map.js';
import { domainSample, type DomainSample } from '../store/samples.js';
import { hostSample } from './host-totals.js';
import type { DomainProblem } from '../drivers/driver.js';
import { OLD_BACKEND_DIR, MODERN_BACKEND_DIR } from '../drivers/xen/vbd.js';
import type { KvmDriver } from '../drivers/kvm/kvm-driver.js';
import { PlanTick, type DomainPlan } from '../sample/plan.js';
import { xenPlan } from '../sample/xen-plan.js';
import { kvmPlan } from '../sample/kvm-plan.js';
import { isActive } from '../stats/states.js';
import { localPath } from '../drivers/common-groups.js';

export const ALL_GROUPS = LIBVIRT_GROUPS | StatsGroup.EXTRA;

export interface SampleResult {
  ts: number;
  collectUs: number;
  /** The domains sampled, each with its sample (same order). */
  domains: Domain[];
  samples: DomainSample[];
  problems: DomainProblem[];
}

export class Sampler {
  /** Old Xen dom0s (2.6.18 era) keep 32-bit counters that wrap at 2^32. */
  private wrap32?: boolean;
  private plans = new Map<Domain, DomainPlan | null>();
  private planned: readonly Domain[] | null = null;
  private ifnames: ReadonlySet<string> = new Set();
  private ifnamesOf: readonly Domain[] | null = null;
  /** Domains the plan handed to their driver in the last tick (for tests and the benchmark). */
  careful = 0;

  constructor(
    readonly conn: Connection,
    readonly map: KeyMap,
    readonly hostname = os.hostname(),
    /** false: every domain through its driver (the reference path the plans are tested against). */
    readonly usePlans = true,
  ) {}

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
      const fs = this.conn.fs;
      p = dom.driver === 'xen' ? xenPlan(dom, fs, this.map, this.isWrap32()) : kvmPlan(dom, fs, this.map, this.conn.drivers.kvm as KvmDriver);
      this.plans.set(dom, p);
    }
    return p;
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

  private isWrap32(): boolean {
    return (this.wrap32 ??= this.conn.fs.isDir(OLD_BACKEND_DIR) && !this.conn.fs.isDir(MODERN_BACKEND_DIR));
  }

  sample(now = Date.now()): SampleResult {
    const t0 = process.hrtime.bigint();
    const ctx = this.conn.context();
    const tick = new PlanTick(this.conn.fs);
    const domains: Domain[] = [];
    const samples: DomainSample[] = [];
    this.careful = 0;
    for (const dom of this.conn.listAllDomains()) {
      const plan = this.plan(dom);
      if (plan !== null && plan.read(tick)) {
        domains.push(dom);
        samples.push(plan.sample);
        continue;
      }
      this.careful++;
      const [rec] = this.conn.collectWith(ctx, [dom], ALL_GROUPS, 0);
      if (rec === undefined) continue; // its problem is recorded
      domains.push(dom);
      samples.push(domainSample(rec, this.map, dom.driver === 'xen' && this.isWrap32()));
    }
    const hostProblems: string[] = [];
    samples.push(hostSample(ctx, this.map, this.domainIfnames(), this.hostname, hostProblems, tick.netDev()));
    const problems = [...ctx.problems, ...hostProblems.map((message) => ({ domain: '@host', message }))];
    return { ts: now, collectUs: Number((process.hrtime.bigint() - t0) / 1000n), domains, samples, problems };
  }
}

const VCPU_ORDER = ['state', 'time', 'wait', 'delay'];

/**
 * A domain's sample as a domstats record (what the exporter and the web page read): the readings
 * under their keys, with the names, paths and counts the drivers put beside them. Built only when
 * asked for (a scrape), never on the tick's path.
 */
export function sampleRecord(dom: Domain, s: DomainSample, map: KeyMap): DomainStatsRecord {
  const params: DomainStatsRecord['params'] = [];
  for (const dev of s.devices) {
    const cols = map.columns[dev.kind].map((c, i) => ({ c, i }));
    // the drivers' order within a vCPU (the exporter lists families in the order it meets them)
    if (dev.kind === 'vcpu') cols.sort((a, b) => VCPU_ORDER.indexOf(a.c.col) - VCPU_ORDER.indexOf(b.c.col));
    for (const { c, i } of cols) {
      const v = dev.values[i]!;
      if (v !== v || c.key === 'extra.domid') continue;
      const value = dev.big?.get(i) ?? BigInt(v);
      params.push({ field: dev.idx === null ? c.key : c.key.replace('{i}', String(dev.idx)), type: 'ullong', value });
    }
  }
  if (isActive(dom.state)) {
    params.push({ field: 'net.count', type: 'uint', value: dom.interfaces.length });
    dom.interfaces.forEach((iface, i) => {
      if (iface.target !== undefined) params.push({ field: `net.${i}.name`, type: 'string', value: iface.target });
    });
  }
  params.push({ field: 'block.count', type: 'uint', value: dom.disks.length });
  dom.disks.forEach((disk, i) => {
    if (disk.target !== undefined) params.push({ field: `block.${i}.name`, type: 'string', value: disk.target });
    const path = localPath(disk);
    if (path !== undefined) params.push({ field: `block.${i}.path`, type: 'string', value: path });
  });
  return { domain: dom, params };
}
