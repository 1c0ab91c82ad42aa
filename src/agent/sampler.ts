// One tick of sampling: every domain, every group its driver supports (domstat's extra group
// included), the host's totals, all within one collection context so /proc/net/dev is read once.

import * as os from 'node:os';
import type { Connection, DomainStatsRecord } from '../stats/connection.js';
import { StatsGroup, LIBVIRT_GROUPS } from '../stats/groups.js';
import type { KeyMap } from '../store/key-map.js';
import { domainSample, type DomainSample } from '../store/samples.js';
import { hostSample } from './host-totals.js';
import type { DomainProblem } from '../drivers/driver.js';
import { OLD_BACKEND_DIR, MODERN_BACKEND_DIR } from '../drivers/xen/vbd.js';

export const ALL_GROUPS = LIBVIRT_GROUPS | StatsGroup.EXTRA;

export interface SampleResult {
  ts: number;
  collectUs: number;
  records: DomainStatsRecord[];
  samples: DomainSample[];
  problems: DomainProblem[];
}

export class Sampler {
  /** Old Xen dom0s (2.6.18 era) keep 32-bit counters that wrap at 2^32. */
  private wrap32?: boolean;

  constructor(
    readonly conn: Connection,
    readonly map: KeyMap,
    readonly hostname = os.hostname(),
  ) {}

  sample(now = Date.now()): SampleResult {
    const t0 = process.hrtime.bigint();
    const ctx = this.conn.context();
    const doms = this.conn.listAllDomains();
    const records = this.conn.collectWith(ctx, doms, ALL_GROUPS, 0);
    this.wrap32 ??= this.conn.fs.isDir(OLD_BACKEND_DIR) && !this.conn.fs.isDir(MODERN_BACKEND_DIR);
    const samples = records.map((r) => domainSample(r, this.map, r.domain.driver === 'xen' && this.wrap32));
    const ifnames = new Set<string>();
    for (const d of doms) for (const i of d.interfaces) if (i.target !== undefined) ifnames.add(i.target);
    const hostProblems: string[] = [];
    samples.push(hostSample(ctx, this.map, ifnames, this.hostname, hostProblems));
    const problems = [...ctx.problems, ...hostProblems.map((message) => ({ domain: '@host', message }))];
    return { ts: now, collectUs: Number((process.hrtime.bigint() - t0) / 1000n), records, samples, problems };
  }
}
