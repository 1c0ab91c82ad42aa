// What a history database holds, tier by tier: the time each tier spans, the bytes its tables and
// indexes take (SQLite's dbstat: every page, used or not), the series it keeps and the buckets
// it has — the measured figures the projection of a configuration's size is made from.

import type { Db } from './db.js';

import { KEYFRAME_MS, type TierName } from './layout.js';
import { KINDS } from '../sample/row-map.js';

export interface TierStats {
  /** First and last time it holds, Unix ms; null when empty. */
  span: [number, number] | null;
  /** Bytes of its pages. */
  bytes: number;
  /** Buckets (ticks for raw) it holds. */
  buckets: number;
}

export interface StoreStats {
  tiers: Record<TierName, TierStats>;
  /** Bytes of everything else in the file: attributes, domains, devices, the key map, free and pointer-map pages. */
  otherBytes: number;
  fileBytes: number;
  /** Series: every column of every device (the unit the projection counts in). */
  series: number;
}

/** Which tier each table belongs to. */
export function tierOfTable(name: string): TierName | null {
  if (name === 'tick' || name === 'tick_ts' || /_(raw|base)$/.test(name)) return 'raw';
  if (name === 'cover_1m' || name.endsWith('_1m_block')) return '1m';
  if (name === 'cover_1h' || name.endsWith('_1h_block')) return '1h';
  return null;
}

/** Spans and bucket counts only: a few index lookups, cheap on any size of database. */
export function tierSpans(db: Db): Record<TierName, Omit<TierStats, 'bytes'>> {
  const raw = db.prepare('SELECT min(ts) AS a, max(ts) AS b, count(*) AS n FROM tick').get() as { a: bigint | null; b: bigint | null; n: bigint };
  const tier = (t: '1m' | '1h', size: number) => {
    const r = db.prepare(`SELECT min(bucket) AS a, max(bucket) AS b, count(*) AS n FROM cover_${t}`).get() as { a: bigint | null; b: bigint | null; n: bigint };
    return { span: r.a === null ? null : ([Number(r.a) * 1000, (Number(r.b) + size) * 1000] as [number, number]), buckets: Number(r.n) };
  };
  return {
    raw: { span: raw.a === null ? null : [Number(raw.a), Number(raw.b)], buckets: Number(raw.n) },
    '1m': tier('1m', 60),
    '1h': tier('1h', 3600),
  };
}

/**
 * Everything, sizes included. dbstat reads every page, so this takes about a second per GB: for
 * a command or a background refresh, never a tick.
 */
export function storeStats(db: Db): StoreStats {
  const spans = tierSpans(db);
  const bytes: Record<TierName, number> = { raw: 0, '1m': 0, '1h': 0 };
  for (const r of db.prepare('SELECT name, sum(pgsize) AS bytes FROM dbstat GROUP BY name').all() as { name: string; bytes: bigint }[]) {
    const t = tierOfTable(r.name);
    if (t !== null) bytes[t] += Number(r.bytes);
  }
  const pageSize = Number(db.pragma('page_size', { simple: true }) as bigint);
  const fileBytes = Number(db.pragma('page_count', { simple: true }) as bigint) * pageSize;
  const widths = columnsPerKind(db);
  let series = 0;
  for (const r of db.prepare('SELECT kind, count(*) AS n FROM device GROUP BY kind').all() as { kind: string; n: bigint }[])
    series += Number(r.n) * (widths.get(r.kind) ?? 0);
  return {
    tiers: { raw: { ...spans.raw, bytes: bytes.raw }, '1m': { ...spans['1m'], bytes: bytes['1m'] }, '1h': { ...spans['1h'], bytes: bytes['1h'] } },
    otherBytes: fileBytes - bytes.raw - bytes['1m'] - bytes['1h'],
    fileBytes,
    series,
  };
}

/**
 * Series being written now: every column of each device with a base row in the newest keyframe
 * period (every device written since has one). A few index lookups: cheap enough for the agent.
 */
export function activeSeries(db: Db): number {
  const periodStart = db.prepare('SELECT min(t.id) FROM tick t WHERE t.ts >= (SELECT max(ts) FROM tick) - ?').pluck().get(KEYFRAME_MS) as bigint | null;
  if (periodStart === null) return 0;
  const widths = columnsPerKind(db);
  let series = 0;
  for (const k of KINDS)
    series +=
      Number(db.prepare(`SELECT count(DISTINCT device_id) FROM ${k}_base WHERE tick_id >= ?`).pluck().get(periodStart) as bigint) * (widths.get(k) ?? 0);
  return series;
}

const columnsPerKind = (db: Db) =>
  new Map((db.prepare('SELECT kind, count(*) AS n FROM key_map GROUP BY kind').all() as { kind: string; n: bigint }[]).map((r) => [r.kind, Number(r.n)]));
