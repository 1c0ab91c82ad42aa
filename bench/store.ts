// The history store's benchmarks: bytes per stored value and per rollup bucket in each tier
// (simulated hosts through the real sampler and writer), the projection of the default retention
// from those bytes, and the history queries a user runs (one domain's day at 1-minute steps; the
// busiest NICs and disks of all domains over 90 days at 1-hour steps).

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createSimHost, type SimCgroup, type SimKind } from '../src/sim/simulate.js';
import { agentMap } from '../src/sample/row-map.js';
import { Connection } from '../src/connection/connection.js';
import { readInventory } from '../src/domains/inventory.js';
import { Sampler } from '../src/agent/sampler.js';
import { openDatabase } from '../src/store/db.js';
import { HistoryWriter } from '../src/store/writer.js';
import { HistoryReader } from '../src/store/history.js';
import { storeStats } from '../src/store/stats.js';
import type { TierName } from '../src/store/layout.js';
import { project, type BytesPerBucket } from '../src/store/projection.js';
import { DEFAULT_RETENTION } from '../src/store/retention.js';
import { device, domainOf } from './samples.js';
import { main } from '../src/cli/main.js';

const log = (s: string) => process.stderr.write(s + '\n');

export interface SizeRow {
  kind: SimKind;
  domains: number;
  stepS: number;
  hours: number;
  ticks: number;
  series: number;
  perDomain: number;
  bytes: Record<TierName, number>;
  buckets: Record<TierName, number>;
  /** Bytes per series per bucket (raw: per series per tick). */
  per: BytesPerBucket;
  storeMs: number[];
}

/**
 * A simulated host sampled every `stepS` for `hours` through the agent's sampler and writer; the
 * tiers measured with dbstat. Starts on a six-hour boundary, so the hour blocks fill as they would.
 */
export async function sizeBench(kind: SimKind, domains: number, stepS: number, hours: number, base: string, cgroup: SimCgroup = 'v2'): Promise<SizeRow> {
  const dir = fs.mkdtempSync(path.join(base, `size-${kind}-${domains}-${stepS}-`));
  const dbDir = fs.mkdtempSync(path.join(os.tmpdir(), `domstat-bench-size-`));
  const sim = createSimHost({ dir: path.join(dir, 'host'), domains, kind, cgroup, maxOpenFiles: 1024 });
  const conn = new Connection({ root: sim.dir });
  conn.fs.keepOpen(60_000);
  conn.setInventory(readInventory(conn.fs));
  const db = openDatabase(path.join(dbDir, 'size.db'));
  const w = new HistoryWriter(db);
  const sampler = new Sampler(conn, agentMap(w.map), { hostname: 'bench-host' });
  const start = Math.floor(Date.now() / 21_600_000) * 21_600_000 - 7 * 86_400_000;
  const ticks = Math.round((hours * 3600) / stepS);
  const storeMs: number[] = [];
  const t0 = performance.now();
  for (let i = 0; i < ticks; i++) {
    sim.advance(stepS);
    const ts = start + i * stepS * 1000;
    const s = sampler.sample(ts);
    const a = performance.now();
    w.write({ ts, mono: ts, dt: i === 0 ? null : stepS * 1000, collectUs: s.collectUs, domains: s.samples });
    storeMs.push(performance.now() - a);
  }
  w.flushOpen();
  db.pragma('wal_checkpoint(TRUNCATE)');
  const st = storeStats(db);
  await sampler.close();
  conn.fs.closeAll();
  sim.close();
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
  fs.rmSync(dbDir, { recursive: true, force: true });
  const bytes = { raw: st.tiers.raw.bytes, '1m': st.tiers['1m'].bytes, '1h': st.tiers['1h'].bytes };
  const buckets = { raw: st.tiers.raw.buckets, '1m': st.tiers['1m'].buckets, '1h': st.tiers['1h'].buckets };
  const per = { raw: bytes.raw / (st.series * buckets.raw), '1m': bytes['1m'] / (st.series * buckets['1m']), '1h': bytes['1h'] / (st.series * buckets['1h']) };
  const row: SizeRow = {
    kind,
    domains,
    stepS,
    hours,
    ticks,
    series: st.series,
    perDomain: Math.round(st.series / (domains + 0.0001)),
    bytes,
    buckets,
    per,
    storeMs,
  };
  log(
    `  ${kind} ${domains} at ${stepS} s for ${hours} h (${((performance.now() - t0) / 1000).toFixed(0)} s): raw ${per.raw.toFixed(2)} B/value, ` +
      `1m ${per['1m'].toFixed(2)} B/series-minute, 1h ${per['1h'].toFixed(2)} B/series-hour (${st.series} series)`,
  );
  return row;
}

export interface ProjectionRow {
  kind: SimKind;
  domains: number;
  series: number;
  per: BytesPerBucket;
  bytes: Record<TierName, number>;
  total: number;
}

/** The default retention at 10 s, projected from measured bytes per bucket. */
export function projectDefaults(kind: SimKind, domains: number, series: number, per: BytesPerBucket): ProjectionRow {
  const p = project({ series, intervalS: 10, retention: DEFAULT_RETENTION }, per);
  return { kind, domains, series, per, bytes: p.bytes, total: p.total };
}

// ---- queries -------------------------------------------------------------------------------------

export interface QueryRow {
  domains: number;
  dbBytes: number;
  buildS: number;
  dayPoints: number;
  day: number[];
  dayCli: number[];
  busiest: number[];
  busiestRows: number;
}

/**
 * A synthetic 100-domain KVM-shaped history written by the writer: 90 days of hourly ticks (each
 * its own minute and hour bucket), then a day of ticks every minute. Counters grow by random
 * amounts with each domain's own scale.
 */
export async function queryBench(domains: number): Promise<QueryRow> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'domstat-bench-query-'));
  const t0 = performance.now();
  const dbFile = path.join(dir, 'query.db');
  const db = openDatabase(dbFile);
  const w = new HistoryWriter(db);
  const now = Math.floor(Date.now() / 60_000) * 60_000;
  const doms = Array.from({ length: domains }, (_, d) => domainOf(w.map, d));
  let last: number | null = null;
  const tick = (ts: number) => {
    w.write({ ts, mono: ts, dt: last === null ? null : ts - last, collectUs: 1, domains: doms.map((d) => d.next(ts)) });
    last = ts;
  };
  for (let ts = now - 91 * 86_400_000; ts < now - 86_400_000; ts += 3_600_000) tick(ts);
  for (let ts = now - 86_400_000; ts <= now; ts += 60_000) tick(ts);
  w.flushOpen();
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  const buildS = (performance.now() - t0) / 1000;

  const ro = openDatabase(dbFile, { readonly: true });
  const domain = doms[42 % domains]!.name;
  const reader = new HistoryReader(ro);
  const day = () => reader.query({ domain, keys: ['net.0.rx.bytes'], since: now - 86_400_000, until: now, stepS: 60, rate: true });
  day();
  const dayMs: number[] = [];
  let dayPoints = 0;
  for (let i = 0; i < 20; i++) {
    const t = performance.now();
    dayPoints = day().times.length;
    dayMs.push(performance.now() - t);
  }
  // README's "busiest" queries, plain SQL on the hour views, 90 days.
  const since = Math.floor((now - 90 * 86_400_000) / 1000);
  const busiest = () => {
    const nics = ro
      .prepare(
        `SELECT d.name, v.name, sum(coalesce(n.rx_bytes_sum, 0) + coalesce(n.tx_bytes_sum, 0)) AS bytes FROM net_1h n JOIN device v ON v.id = n.device_id JOIN domain d ON d.id = v.domain_id
         WHERE n.bucket >= ? GROUP BY n.device_id ORDER BY bytes DESC LIMIT 10`,
      )
      .all(since);
    const disks = ro
      .prepare(
        `SELECT d.name, v.name, sum(coalesce(b.rd_bytes_sum, 0) + coalesce(b.wr_bytes_sum, 0)) AS bytes FROM block_1h b JOIN device v ON v.id = b.device_id JOIN domain d ON d.id = v.domain_id
         WHERE b.bucket >= ? GROUP BY b.device_id ORDER BY bytes DESC LIMIT 10`,
      )
      .all(since);
    return nics.length + disks.length;
  };
  busiest();
  const busiestMs: number[] = [];
  let busiestRows = 0;
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    busiestRows = busiest();
    busiestMs.push(performance.now() - t);
  }
  ro.close();
  let lines = 0;
  const sink = { out: (s: string) => void (lines += s.split('\n').length - 1), err: (s: string) => log(`  history: ${s.trim()}`) };
  const argv = ['history', '--db', dbFile, domain, 'net.0.rx.bytes', '--rate', '--since', '24h', '--step', '1m'];
  const cli: number[] = [];
  for (let i = 0; i < 22; i++) {
    const t = performance.now();
    lines = 0;
    const code = await main(argv, sink);
    if (code !== 0 || lines < 1000) throw new Error(`domstat ${argv.join(' ')}: exit ${code}, ${lines} lines`);
    if (i >= 2) cli.push(performance.now() - t);
  }
  const dbBytes = fs.statSync(dbFile).size;
  fs.rmSync(dir, { recursive: true, force: true });
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
  log(
    `  queries on ${domains} domains (${(dbBytes / 2 ** 20).toFixed(0)} MiB, built in ${buildS.toFixed(0)} s): 24 h at 1 m ${med(dayMs).toFixed(2)} ms (CLI ${med(cli).toFixed(2)}), ` +
      `90-day busiest NICs and disks ${med(busiestMs).toFixed(0)} ms`,
  );
  return { domains, dbBytes, buildS, dayPoints, day: dayMs, dayCli: cli, busiest: busiestMs, busiestRows };
}

export { device };
