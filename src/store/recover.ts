// Rebuilding the writer's state from the database, so that a restart (or a crash) continues every
// series: each device's last readings (its newest base row plus the increases stored since), the
// attributes as last logged, and the open minute and the open hour's closed minutes rebuilt row by
// row from the raw tier, as the writer built them (a minute whose raw rows have aged out, with raw
// retention under an hour, from its stored slot). Devices not sampled in the newest keyframe
// period start again from a base row.

import type { Db } from './db.js';
import { type KeyMap } from './key-map.js';
import { KINDS, type Kind } from '../sample/row-map.js';
import { blockOf, SLOTS, TIER_SECONDS, type KindLayout, type Tier } from './layout.js';
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

/** Whether a bucket's slot as the writer would store it is the stored one, value for value. */
function sameSlot(mine: readonly (number | null)[], kept: readonly (bigint | number | null)[]): boolean {
  return mine.length === kept.length && mine.every((v, i) => (v === null ? kept[i] === null : kept[i] !== null && Number(kept[i]) === v));
}

function bucketAt(l: KindLayout, bucket: number): Bucket {
  const b = new Bucket(l);
  b.reset(bucket);
  return b;
}

export function recoverState(db: Db, map: KeyMap, keyframeMs: number): Recovered | null {
  const last = db.prepare('SELECT id, ts, mono FROM tick ORDER BY id DESC LIMIT 1').get() as { id: bigint; ts: bigint; mono: bigint | null } | undefined;
  if (last === undefined) return null;
  const lastTs = Number(last.ts);
  const minute = Math.floor(lastTs / 60_000) * 60;
  const hour = Math.floor(minute / 3600) * 3600;
  const periodStart = Math.floor(lastTs / keyframeMs) * keyframeMs;
  const firstTick = Number(db.prepare('SELECT min(id) FROM tick WHERE ts >= ?').pluck().get(periodStart) as bigint);
  const firstTickFrom = (ms: number) => Number((db.prepare('SELECT min(id) FROM tick WHERE ts >= ?').pluck().get(ms) as bigint | null) ?? firstTick);
  const minuteTick = firstTickFrom(minute * 1000);
  const hourTick = firstTickFrom(hour * 1000);
  // The walk starts at the keyframe period that holds the hour's start: every device's first row
  // in a period is a base row, so its readings are known from there on.
  const walkFrom = Math.min(firstTick, firstTickFrom(Math.floor((hour * 1000) / keyframeMs) * keyframeMs));
  const ticks = new Map<number, { ts: number; dt: number | null; mono: number }>();
  for (const t of db.prepare('SELECT id, ts, dt, mono FROM tick WHERE id >= ?').iterate(walkFrom) as IterableIterator<Row>) {
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
  for (const kind of KINDS) {
    const l = map.layouts[kind];
    const width = l.columns.length;
    const cols = [...l.sampled].map((i) => l.columns[i]!.col);
    const bases = new Map<string, Row>();
    /** Devices with a base row in the newest keyframe period: the ones whose series continue. */
    const current = new Map<number, number>();
    for (const b of db.prepare(`SELECT * FROM ${kind}_base WHERE tick_id >= ? ORDER BY tick_id`).iterate(walkFrom) as IterableIterator<Row>) {
      bases.set(`${b.device_id}/${b.tick_id}`, b);
      if (Number(b.tick_id) >= firstTick) current.set(Number(b.device_id), Number(b.tick_id));
    }
    if (current.size === 0) continue;
    // Every row since, as the writer saw it: readings move on (a base row restarts them), and the
    // open minute and the open hour's closed minutes are built as the writer built them.
    const readings = new Map<number, (bigint | null)[]>();
    const lastRow = new Map<number, number>();
    // The open hour's closed minutes as stored, by device and bucket: each is taken from the raw
    // rows only when they give the very slot that was stored (a minute whose rows retention has
    // taken, wholly or in part, comes from its slot).
    const stored = new Map<number, Map<number, (bigint | number | null)[]>>();
    if (minute > hour) {
      for (const b of db
        .prepare(`SELECT * FROM ${kind}_1m_block WHERE block >= ? AND block < ?`)
        .iterate(blockOf('1m', hour), minute) as IterableIterator<Row>) {
        const id = Number(b.device_id);
        if (!current.has(id)) continue;
        for (let s = 0; s < SLOTS; s++) {
          const bucket = Number(b.block) + s * TIER_SECONDS['1m'];
          if (bucket < hour || bucket >= minute || b[`gap_${s}`] === null) continue;
          let m = stored.get(id);
          if (m === undefined) stored.set(id, (m = new Map()));
          m.set(
            bucket,
            l.slotColumns.map((c) => b[`${c}_${s}`] as bigint | number | null),
          );
        }
      }
    }
    type Open = { minute: Bucket | null; hour: Bucket | null; closed: Bucket | null };
    const open = new Map<number, Open>();
    const openOf = (id: number): Open => {
      let o = open.get(id);
      if (o === undefined) open.set(id, (o = { minute: null, hour: null, closed: null }));
      return o;
    };
    const settle = (id: number, o: Open) => {
      const raw = o.closed;
      if (raw === null) return;
      o.closed = null;
      const slot = stored.get(id)?.get(raw.bucket);
      stored.get(id)?.delete(raw.bucket);
      const cover = minuteCovers.get(raw.bucket) ?? 0;
      const whole = slot === undefined || sameSlot(raw.slot(cover), slot);
      (o.hour ??= bucketAt(l, hour)).merge(whole ? raw : Bucket.fromSlot(l, raw.bucket, cover, slot));
    };
    const inc = new Float64Array(l.sampled.length);
    for (const r of db.prepare(`SELECT * FROM ${kind}_raw WHERE tick_id >= ? ORDER BY tick_id`).iterate(walkFrom) as IterableIterator<Row>) {
      const id = Number(r.device_id);
      const tickId = Number(r.tick_id);
      lastRow.set(id, tickId);
      const b = bases.get(`${id}/${tickId}`);
      let cur = readings.get(id);
      if (b !== undefined) readings.set(id, (cur = cols.map((c, j) => (b[c] === null ? null : fromSql(b[c])! * BigInt(l.scale[j]!)))));
      if (cur === undefined) continue; // no base row seen yet: its readings are not known
      cols.forEach((c, j) => {
        const d = fromSql(r[c]);
        if (b === undefined && d !== null && cur[j] !== null) cur[j]! += d * BigInt(l.scale[j]!);
        inc[j] = l.counter[j] ? (d === null ? NaN : Number(d)) : cur[j] === null ? NaN : Number(cur[j]! / BigInt(l.scale[j]!));
      });
      if (tickId < hourTick || !current.has(id)) continue;
      const o = openOf(id);
      const dt = r.dt !== null ? Number(r.dt) : (ticks.get(tickId)?.dt ?? null);
      if (tickId >= minuteTick) (o.minute ??= bucketAt(l, minute)).add(inc, dt);
      else {
        const m = Math.floor((ticks.get(tickId)?.ts ?? NaN) / 60_000) * 60;
        if (o.closed !== null && o.closed.bucket !== m) settle(id, o);
        (o.closed ??= bucketAt(l, m)).add(inc, dt);
      }
    }
    for (const [id, o] of open) settle(id, o);
    // Closed minutes with no raw rows left (raw retention under an hour): from their slots.
    for (const [id, slots] of stored) {
      const o = openOf(id);
      for (const [bucket, values] of slots) (o.hour ??= bucketAt(l, hour)).merge(Bucket.fromSlot(l, bucket, minuteCovers.get(bucket) ?? 0, values));
    }
    for (const [id, baseTick] of current) {
      const values = new Float64Array(width).fill(NaN);
      let big: Map<number, bigint> | undefined;
      readings.get(id)?.forEach((v, j) => {
        if (v === null) return;
        const pos = l.sampled[j]!;
        values[pos] = Number(v);
        if (v > BigInt(Number.MAX_SAFE_INTEGER)) (big ??= new Map()).set(pos, v);
      });
      const tickId = lastRow.get(id) ?? baseTick;
      const o = open.get(id);
      devices.push({
        id,
        kind,
        values,
        big,
        attrs: new Float64Array(width).fill(NaN),
        attrBig: undefined,
        tickId,
        mono: ticks.get(tickId)?.mono ?? NaN,
        period: Math.floor((ticks.get(baseTick)?.ts ?? NaN) / keyframeMs),
        domid: NaN,
        buckets: { '1m': o?.minute ?? null, '1h': o?.hour ?? null },
      });
    }
  }
  const byId = new Map(devices.map((d) => [d.id, d]));

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
