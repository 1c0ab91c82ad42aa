// The web page's overview of every domain (/api/overview): per domain its state and memory from
// the latest tick's records, its current CPU, disk and network rates, and a sparkline of each
// over the last half hour, from a read-only connection to the history. A fixed number of queries
// whatever the number of domains (one per kind and tier, plus the minute covers), all in one read
// transaction, so the current figures and the sparklines come from the same ticks.
//
//   current    the raw ticks of the last CURRENT_MS (at least the latest tick), through the
//              <kind>_rate views: per device the exact rate over those ticks (sum of increases /
//              sum of the time they cover), summed per domain. The tick table comes first in
//              the join, so SQLite reads those ticks' rows by their primary key.
//   sparklines one point per closed minute, from the minute rollups: each device's exact
//              increase over the time its ticks covered, summed per domain (gauges: the mean).
//              Read by block key (<kind>_1m_block WHERE block BETWEEN): the <kind>_1m views
//              compute a bucket from each block and slot, which no index serves, so a time window
//              through them reads every block kept (90 days of them by default). The rows are the
//              views' rows: test/export/overview.ts holds the two equal.
//
// CPU % is virt-top's and `domstat top`'s: 100 % is every host CPU busy. The host's CPUs are
// counted from its /proc/stat rates (all fields together run at one second per second per CPU).

import type { Db } from '../store/db.js';
import { readKeyMap, type KeyMap } from '../store/key-map.js';
import type { Kind } from '../sample/row-map.js';
import { blockOf, SLOTS, TIER_SECONDS } from '../store/layout.js';
import type { DomainStatsRecord } from '../stats/records.js';
import { InternalError } from '../common/errors.js';
import { STATE_WORDS, type DomainStateValue } from '../stats/states.js';
import type { ExportInput } from './prometheus.js';

/** The current figures are rates over the ticks of this last stretch of time (at least one tick). */
export const CURRENT_MS = 10_000;
/** Sparklines: this many closed minutes, the newest last. */
export const SPARK_MINUTES = 30;

export interface OverviewSparks {
  /** CPU, cores busy. */
  cpu: (number | null)[];
  /** Resident memory of the QEMU process (mean per minute), bytes. */
  rss: (number | null)[];
  /** Disk read + written, bytes/s. */
  disk: (number | null)[];
  /** Network received + sent (guest view), bytes/s. */
  net: (number | null)[];
}

export interface OverviewDomain {
  name: string;
  uuid: string | null;
  /** Domain id (-1 when not running). */
  id: number;
  state: number;
  stateWord: string;
  vcpus: number | null;
  /** balloon.current and balloon.rss of the latest tick, bytes. */
  memBytes: number | null;
  rssBytes: number | null;
  /** Cores busy over the current stretch, and that as virt-top's % of the host's CPUs. */
  cpuCores: number | null;
  cpuPct: number | null;
  /** Rates over the current stretch, bytes/s: disks read and written, interfaces received and sent. */
  diskRd: number | null;
  diskWr: number | null;
  disk: number | null;
  netRx: number | null;
  netTx: number | null;
  net: number | null;
  spark: OverviewSparks;
}

export interface Overview {
  /** The newest tick in the history, Unix ms; null before the first. */
  ts: number | null;
  /** The current figures cover the ticks after this time up to ts (Unix ms). */
  currentSince: number | null;
  host: { cpus: number | null; busyPct: number | null };
  /** Start of each sparkline minute, Unix ms, oldest first. */
  sparkTimes: number[];
  domains: OverviewDomain[];
}

type Row = Record<string, unknown>;
const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
/** Sparkline points are for drawing: four significant digits keep the JSON small at 1000 domains. */
const round4 = (v: number | null): number | null => (v === null ? null : Number(v.toPrecision(4)));

function param(r: DomainStatsRecord, field: string): number | null {
  const p = r.params.find((x) => x.field === field);
  return p === undefined ? null : typeof p.value === 'bigint' || typeof p.value === 'number' ? Number(p.value) : null;
}

/** The stored column of a key pattern, with its scale; null when this database's key map lacks it. */
function column(map: KeyMap, pattern: string): { col: string; scale: number; type: string } | null {
  const hit = map.byPattern.get(pattern);
  return hit === undefined ? null : { col: hit.column.col, scale: hit.column.scale, type: hit.column.type };
}

/** A view column's name, checked against the key map's own (they are generated from it). */
const ident = (col: string) => {
  if (!/^[a-z_][a-z0-9_]*$/.test(col)) throw new InternalError(`unexpected column name '${col}'`);
  return col;
};

/**
 * Per domain (by key: the uuid, or the name when there is none), the sum over its devices of each
 * device's rate over the ticks after `since`: the
 * increases over the time they cover, so a tick with no value (a reset, a first reading) counts
 * neither its increase nor its time.
 */
function currentRates(db: Db, kind: Kind, cols: { col: string; scale: number }[], since: number): Map<string, (number | null)[]> {
  // From the raw rows, not the rate views: those name a domain, and two domains can share a name.
  const dt = 'coalesce(r.dt, t.dt)';
  const perDevice = cols
    .map(({ col, scale }) => {
      const c = `r.${ident(col)}`;
      return `sum(CASE WHEN ${dt} IS NOT NULL THEN ${c} END) * ${scale * 1000}.0 / sum(CASE WHEN ${c} IS NOT NULL THEN ${dt} END) AS ${col}`;
    })
    .join(', ');
  const rows = db
    .prepare(
      `SELECT key, ${cols.map(({ col }) => `sum(${col}) AS ${col}`).join(', ')} FROM (
         SELECT d.key AS key, ${perDevice}
         FROM tick t JOIN ${kind}_raw r ON r.tick_id = t.id JOIN device v ON v.id = r.device_id JOIN domain d ON d.id = v.domain_id
         WHERE t.ts > ?
         GROUP BY r.device_id)
       GROUP BY key`,
    )
    .all(since) as Row[];
  return new Map(rows.map((r) => [String(r.key), cols.map(({ col }) => num(r[col]))]));
}

/**
 * Per domain and minute, the sum over its devices of each column's rate in that minute (counters:
 * increase / seconds covered; gauges: the minute's mean), from the minute blocks covering
 * [first, last] (Unix s, bucket starts). Summed by SQLite: a row per domain and block comes back,
 * not one per device (at 1000 domains the rows' values, not the reading, are what costs).
 */
function minuteRates(db: Db, kind: Kind, cols: { col: string; scale: number; type: string }[], first: number, last: number): Map<string, (number | null)[][]> {
  const step = TIER_SECONDS['1m'];
  const n = (last - first) / step + 1;
  const slots = [...Array(SLOTS).keys()];
  const secs = (s: number) => `(c${s}.ms - b.gap_${s})`;
  const sums = slots.flatMap((s) =>
    cols.map((c) =>
      c.type === 'counter'
        ? `sum(CASE WHEN ${secs(s)} > 0 THEN b.${ident(c.col)}_${s} * ${c.scale * 1000}.0 / ${secs(s)} END)`
        : `sum(CASE WHEN b.gap_${s} IS NOT NULL THEN b.${ident(c.col)}_${s} * ${c.scale} END)`,
    ),
  );
  const covers = slots.map((s) => `LEFT JOIN cover_1m c${s} ON c${s}.bucket = b.block + ${s * step}`).join(' ');
  const rows = db
    .prepare(
      `SELECT d.key, b.block, ${sums.join(', ')}
       FROM ${kind}_1m_block b JOIN device v ON v.id = b.device_id JOIN domain d ON d.id = v.domain_id ${covers}
       WHERE b.block BETWEEN ? AND ? GROUP BY d.key, b.block`,
    )
    .raw()
    .safeIntegers(false)
    .all(blockOf('1m', first), blockOf('1m', last)) as (string | number | null)[][];
  const out = new Map<string, (number | null)[][]>();
  for (const r of rows) {
    const dom = String(r[0]);
    let series = out.get(dom);
    if (series === undefined) out.set(dom, (series = cols.map(() => new Array<number | null>(n).fill(null))));
    for (const s of slots) {
      const bucket = Number(r[1]) + s * step;
      if (bucket < first || bucket > last) continue;
      cols.forEach((_, k) => {
        const v = r[2 + s * cols.length + k] as number | null;
        if (v !== null) series![k]![(bucket - first) / step] = v;
      });
    }
  }
  return out;
}

const sum2 = (a: number | null | undefined, b: number | null | undefined): number | null =>
  (a ?? null) === null && (b ?? null) === null ? null : (a ?? 0) + (b ?? 0);

export function overview(db: Db, input: ExportInput | null): Overview {
  return db.transaction(() => build(db, input))();
}

function build(db: Db, input: ExportInput | null): Overview {
  const records = input?.records ?? [];
  const ts = num(db.prepare('SELECT max(ts) FROM tick').pluck().get());
  const map = readKeyMap(db);
  const since = ts === null ? null : ts - CURRENT_MS;
  const lastMinute = ts === null ? null : Math.floor(ts / 60_000) * 60 - 60;
  const sparkTimes = lastMinute === null ? [] : Array.from({ length: SPARK_MINUTES }, (_, i) => (lastMinute - (SPARK_MINUTES - 1 - i) * 60) * 1000);

  const cpuCol = column(map, 'cpu.time');
  const rssCol = column(map, 'balloon.rss');
  const net = [column(map, 'net.{i}.rx.bytes'), column(map, 'net.{i}.tx.bytes')];
  const disk = [column(map, 'block.{i}.rd.bytes'), column(map, 'block.{i}.wr.bytes')];
  const present = <T>(xs: (T | null)[]): T[] => xs.filter((x): x is T => x !== null);

  const empty = new Map<string, (number | null)[]>();
  const cur = {
    cpu: since !== null && cpuCol !== null ? currentRates(db, 'domain', [cpuCol], since) : empty,
    net: since !== null && present(net).length === 2 ? currentRates(db, 'net', present(net), since) : empty,
    disk: since !== null && present(disk).length === 2 ? currentRates(db, 'block', present(disk), since) : empty,
  };

  // The host's CPUs and how busy they were over the same ticks (busy as top counts it).
  const hostCols = ['user', 'nice', 'system', 'irq', 'softirq', 'idle', 'iowait', 'steal'].map((f) => column(map, `host.cpu.${f}`));
  let host: Overview['host'] = { cpus: null, busyPct: null };
  if (since !== null && hostCols.every((c) => c !== null)) {
    const rates = [...currentRates(db, 'host', present(hostCols), since).values()][0];
    if (rates !== undefined && rates.every((r) => r !== null)) {
      const total = (rates as number[]).reduce((a, b) => a + b, 0);
      const busy = (rates as number[]).slice(0, 5).reduce((a, b) => a + b, 0);
      const cpus = Math.round(total / 1e9);
      if (cpus > 0) host = { cpus, busyPct: (busy / total) * 100 };
    }
  }

  const first = lastMinute === null ? 0 : lastMinute - (SPARK_MINUTES - 1) * 60;
  const noMinutes = new Map<string, (number | null)[][]>();
  const domainCols = present([cpuCol, rssCol]);
  const minutes = {
    domain: lastMinute !== null && domainCols.length > 0 ? minuteRates(db, 'domain', domainCols, first, lastMinute) : noMinutes,
    net: lastMinute !== null && present(net).length === 2 ? minuteRates(db, 'net', present(net), first, lastMinute) : noMinutes,
    disk: lastMinute !== null && present(disk).length === 2 ? minuteRates(db, 'block', present(disk), first, lastMinute) : noMinutes,
  };
  const blank = () => new Array<number | null>(sparkTimes.length).fill(null);
  const both = (m: (number | null)[][] | undefined) => (m === undefined ? blank() : m[0]!.map((a, i) => round4(sum2(a, m[1]![i]))));

  const domains = records.map((r): OverviewDomain => {
    const { name, key } = r.domain;
    const cores = cur.cpu.get(key)?.[0] ?? null;
    const [netRx = null, netTx = null] = cur.net.get(key) ?? [];
    const [diskRd = null, diskWr = null] = cur.disk.get(key) ?? [];
    const dm = minutes.domain.get(key);
    const col = (c: typeof cpuCol, scale: number) => {
      const k = c === null ? -1 : domainCols.indexOf(c);
      return k < 0 || dm === undefined ? blank() : dm[k]!.map((v) => round4(v === null ? null : v * scale));
    };
    const memKiB = param(r, 'balloon.current');
    const rssKiB = param(r, 'balloon.rss');
    return {
      name,
      uuid: r.domain.uuid ?? null,
      id: r.domain.id,
      state: r.domain.state,
      stateWord: STATE_WORDS[r.domain.state as DomainStateValue] ?? '',
      vcpus: param(r, 'vcpu.current'),
      memBytes: memKiB === null ? null : memKiB * 1024,
      rssBytes: rssKiB === null ? null : rssKiB * 1024,
      cpuCores: cores === null ? null : cores / 1e9,
      cpuPct: cores === null || host.cpus === null ? null : (cores / 1e9 / host.cpus) * 100,
      diskRd,
      diskWr,
      disk: sum2(diskRd, diskWr),
      netRx,
      netTx,
      net: sum2(netRx, netTx),
      spark: { cpu: col(cpuCol, 1e-9), rss: col(rssCol, 1024), disk: both(minutes.disk.get(key)), net: both(minutes.net.get(key)) },
    };
  });
  return { ts, currentSince: since, host, sparkTimes, domains };
}
