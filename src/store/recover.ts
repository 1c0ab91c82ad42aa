// Rebuilding the writer's state from the database, so that a restart (or a crash) continues every
// series: each device's last readings (its newest base row plus the increases stored since), the
// attributes as last logged, the open minute rebuilt from its raw rows and the open hour from its
// closed minutes. Devices not sampled in the newest keyframe period start again from a base row.

import type { Db } from './db.js';
import { type KeyMap } from './key-map.js';
import { KINDS, type Kind } from '../sample/row-map.js';
import { blockOf, slotOf, SLOTS, TIER_SECONDS, type Tier } from './layout.js';
import { Bucket } from './rollup.js';
import { fromSql } from './exact.js';

export interface RecoveredDevice {
  id: number;
  kind: Kind;
  /** Readings by column position (NaN: unknown); those of 2^53 or more exactly in `big`. */
  values: Float64Array;
  big: Map<number, bigint> | undefined;
  attrs: Float64Array;
  attrBig: Map<number, bigint> | undefined;
  tickId: number;
  mono: number;
  period: number;
  domid: number;
  buckets: Record<Tier, Bucket | null>;
}

export interface Recovered {
  lastTick: { id: number; ts: number; mono: number };
  devices: RecoveredDevice[];
  cover: Record<Tier, { bucket: number; ms: number }>;
}

type Row = Record<string, unknown>;
const n = (v: unknown) => (v === null || v === undefined ? NaN : Number(v));

export function recoverState(db: Db, map: KeyMap, keyframeMs: number): Recovered | null {
  const last = db.prepare('SELECT id, ts, mono FROM tick ORDER BY id DESC LIMIT 1').get() as { id: bigint; ts: bigint; mono: bigint | null } | undefined;
  if (last === undefined) return null;
  const lastTs = Number(last.ts);
  const minute = Math.floor(lastTs / 60_000) * 60;
  const hour = Math.floor(minute / 3600) * 3600;
  const periodStart = Math.floor(lastTs / keyframeMs) * keyframeMs;
  const firstTick = Number(db.prepare('SELECT min(id) FROM tick WHERE ts >= ?').pluck().get(periodStart) as bigint);
  const minuteTick = Number(
    db
      .prepare('SELECT min(id) FROM tick WHERE ts >= ?')
      .pluck()
      .get(minute * 1000) as bigint,
  );
  const ticks = new Map<number, { ts: number; dt: number | null; mono: number }>();
  for (const t of db.prepare('SELECT id, ts, dt, mono FROM tick WHERE id >= ?').all(firstTick) as Row[]) {
    ticks.set(Number(t.id), { ts: Number(t.ts), dt: t.dt === null ? null : Number(t.dt), mono: n(t.mono) });
  }
  const minuteCover = [...ticks.entries()].filter(([id, t]) => id >= minuteTick && t.dt !== null).reduce((s, [, t]) => s + t.dt!, 0);
  const coverRows = db.prepare('SELECT bucket, ms FROM cover_1m WHERE bucket >= ? AND bucket < ?').all(hour, minute) as Row[];
  const minuteCovers = new Map(coverRows.map((r) => [Number(r.bucket), Number(r.ms)]));
  const cover = {
    '1m': { bucket: minute, ms: minuteCover },
    '1h': { bucket: hour, ms: [...minuteCovers.values()].reduce((s, x) => s + x, 0) + minuteCover },
  };

  const devices: RecoveredDevice[] = [];
  const byId = new Map<number, RecoveredDevice>();
  for (const kind of KINDS) {
    const l = map.layouts[kind];
    const width = l.columns.length;
    const cols = [...l.sampled].map((i) => l.columns[i]!.col);
    const bases = db.prepare(`SELECT * FROM ${kind}_base WHERE tick_id >= ? ORDER BY tick_id`).all(firstTick) as Row[];
    const latest = new Map<number, Row>();
    for (const b of bases) latest.set(Number(b.device_id), b);
    if (latest.size === 0) continue;
    // Increases stored after each device's newest base row and before the open minute, summed by SQLite.
    const sums = db
      .prepare(
        `SELECT r.device_id AS device_id, ${cols.map((c) => `sum(r.${c}) AS ${c}`).join(', ')} FROM ${kind}_raw r ` +
          `JOIN (SELECT device_id, max(tick_id) AS t FROM ${kind}_base WHERE tick_id >= ? GROUP BY device_id) b ON b.device_id = r.device_id ` +
          `WHERE r.tick_id > b.t AND r.tick_id < ? GROUP BY r.device_id`,
      )
      .all(firstTick, minuteTick) as Row[];
    const sumOf = new Map(sums.map((r) => [Number(r.device_id), r]));
    const readings = new Map<number, (bigint | null)[]>();
    for (const [id, b] of latest) {
      const s = sumOf.get(id);
      readings.set(
        id,
        cols.map((c, j) => {
          const base = fromSql(b[c]);
          if (base === null) return null;
          const add = s === undefined || Number(b.tick_id) >= minuteTick ? null : fromSql(s[c]);
          return (base + (add ?? 0n)) * BigInt(l.scale[j]!);
        }),
      );
    }
    // The open minute, row by row: readings move on, and its bucket is built as the writer built it.
    const lastRow = new Map<number, number>();
    const minuteBuckets = new Map<number, Bucket>();
    const baseAt = new Map(bases.filter((b) => Number(b.tick_id) >= minuteTick).map((b) => [`${b.device_id}/${b.tick_id}`, b]));
    const raws = db.prepare(`SELECT * FROM ${kind}_raw WHERE tick_id >= ? ORDER BY tick_id`).all(firstTick) as Row[];
    const inc = new Float64Array(l.sampled.length);
    for (const r of raws) {
      const id = Number(r.device_id);
      const tickId = Number(r.tick_id);
      lastRow.set(id, tickId);
      if (tickId < minuteTick) continue;
      const cur = readings.get(id);
      if (cur === undefined) continue;
      const b = baseAt.get(`${id}/${tickId}`);
      cols.forEach((c, j) => {
        const scale = BigInt(l.scale[j]!);
        const d = fromSql(r[c]);
        if (b !== undefined) {
          const v = fromSql(b[c]);
          cur[j] = v === null ? null : v * scale;
        } else if (d !== null && cur[j] !== null) cur[j]! += d * scale;
        inc[j] = l.counter[j] ? (d === null ? NaN : Number(d)) : cur[j] === null ? NaN : Number(cur[j]! / scale);
      });
      let bucket = minuteBuckets.get(id);
      if (bucket === undefined) {
        bucket = new Bucket(l);
        bucket.reset(minute);
        minuteBuckets.set(id, bucket);
      }
      const dt = r.dt !== null ? Number(r.dt) : (ticks.get(tickId)?.dt ?? null);
      bucket.add(inc, dt);
    }
    for (const [id, cur] of readings) {
      const values = new Float64Array(width).fill(NaN);
      let big: Map<number, bigint> | undefined;
      cur.forEach((v, j) => {
        if (v === null) return;
        const pos = l.sampled[j]!;
        values[pos] = Number(v);
        if (v > BigInt(Number.MAX_SAFE_INTEGER)) (big ??= new Map()).set(pos, v);
      });
      const tickId = lastRow.get(id) ?? Number(latest.get(id)!.tick_id);
      const dev: RecoveredDevice = {
        id,
        kind,
        values,
        big,
        attrs: new Float64Array(width).fill(NaN),
        attrBig: undefined,
        tickId,
        mono: ticks.get(tickId)?.mono ?? NaN,
        period: Math.floor((ticks.get(Number(latest.get(id)!.tick_id))?.ts ?? NaN) / keyframeMs),
        domid: NaN,
        buckets: { '1m': minuteBuckets.get(id) ?? null, '1h': null },
      };
      devices.push(dev);
      byId.set(id, dev);
    }
    // The open hour: the minutes of it that closed, from their blocks.
    if (minute > hour) {
      const blocks = db.prepare(`SELECT * FROM ${kind}_1m_block WHERE block >= ? AND block < ?`).all(blockOf('1m', hour), minute) as Row[];
      for (const b of blocks) {
        const dev = byId.get(Number(b.device_id));
        if (dev === undefined) continue;
        for (let s = 0; s < SLOTS; s++) {
          const bucket = Number(b.block) + s * TIER_SECONDS['1m'];
          if (bucket < hour || bucket >= minute || b[`gap_${s}`] === null) continue;
          const values = l.slotColumns.map((c) => b[`${c}_${s}`] as bigint | number | null);
          const m = Bucket.fromSlot(l, bucket, minuteCovers.get(bucket) ?? 0, values);
          let h = dev.buckets['1h'];
          if (h === null) {
            h = new Bucket(l);
            h.reset(hour);
            dev.buckets['1h'] = h;
          }
          h.merge(m);
        }
      }
    }
    void slotOf;
  }

  // Attributes as last logged, and each domain's id (a change of it is a restart).
  const attrs = db.prepare('SELECT device_id, col, value, max(ts) AS ts FROM attribute GROUP BY device_id, col').all() as Row[];
  const domids = new Map<number, number>();
  const domainOf = new Map((db.prepare('SELECT id, domain_id FROM device').all() as Row[]).map((r) => [Number(r.id), Number(r.domain_id)]));
  for (const a of attrs) {
    const id = Number(a.device_id);
    if (a.col === 'domid' && a.value !== null) domids.set(domainOf.get(id)!, Number(a.value));
    const dev = byId.get(id);
    if (dev === undefined) continue;
    const pos = map.columns[dev.kind].findIndex((c) => c.col === a.col);
    if (pos < 0) continue;
    const v = fromSql(a.value);
    if (v === null) continue;
    dev.attrs[pos] = Number(v);
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < -BigInt(Number.MAX_SAFE_INTEGER)) (dev.attrBig ??= new Map()).set(pos, v);
  }
  for (const dev of devices) dev.domid = domids.get(domainOf.get(dev.id)!) ?? NaN;
  return { lastTick: { id: Number(last.id), ts: lastTs, mono: n(last.mono) }, devices, cover };
}
