// Schema version 1 (wide rows of deltas with keyframe base rows, rollup rows per device per
// bucket with four numbers per column) to version 2, inside the caller's transaction. Every raw
// tick is decoded and written again through the version-2 writer, which computes the increases
// itself (so the increase that version 1 left out of its rollups at each keyframe is counted for
// the time the raw tier covers). Rollups older than the raw tier are converted as they are.

import * as fs from 'node:fs';
import type { Db } from './db.js';
import { SCHEMA_FILE, SCHEMA_VERSION } from './db.js';
import { readKeyMap } from './key-map.js';
import type { Kind } from '../sample/row-map.js';
import { blockOf, HISTORY_MARK, slotOf, TIER_SECONDS, TIERS, type Tier } from './layout.js';
import { fromSql, toSql, toSqlExact } from './exact.js';
import { HistoryWriter } from './writer.js';
import { newDevice, setReading, type DeviceSample, type DomainSample } from '../sample/rows.js';

type Row = Record<string, unknown>;
const TWO_64 = 1n << 64n;
/** Version 1 stored u64 readings of 2^63 and more as their two's complement. */
const v1Counter = (v: bigint) => (v < 0n ? v + TWO_64 : v);

/** Version 1's kinds of device (later versions added kinds of their own). */
const KINDS: readonly Kind[] = ['domain', 'host', 'vcpu', 'net', 'block'];

export function migrateFromV1(db: Db, say: (message: string) => void): void {
  const oldMap = (db.prepare('SELECT kind, col, type FROM key_map ORDER BY kind, col').all() as { kind: Kind; col: string; type: string }[]).reduce(
    (m, r) => ((m[r.kind] ??= []).push(r), m),
    {} as Record<Kind, { kind: Kind; col: string; type: string }[]>,
  );
  // Version 1's objects move aside; version 2's are created from schema.sql (less meta, domain, device).
  for (const v of db.prepare("SELECT name FROM sqlite_schema WHERE type = 'view'").pluck().all() as string[]) db.exec(`DROP VIEW "${v}"`);
  const old = ['tick', 'key_map', ...KINDS.flatMap((k) => [`${k}_sample`, `${k}_1m`, `${k}_1h`])];
  for (const t of old) db.exec(`ALTER TABLE ${t} RENAME TO v1_${t}`);
  db.exec('DROP INDEX IF EXISTS tick_ts');
  const schema = fs.readFileSync(SCHEMA_FILE, 'utf8');
  db.exec(schema.slice(schema.indexOf(HISTORY_MARK)));
  const map = readKeyMap(db);

  const firstTs = db.prepare('SELECT min(ts) FROM v1_tick').pluck().get() as bigint | null;
  const cut: Record<Tier, number> = { '1m': Infinity, '1h': Infinity };
  if (firstTs !== null) {
    const first = Math.floor(Number(firstTs) / 1000);
    for (const tier of TIERS) cut[tier] = Math.floor(first / TIER_SECONDS[tier]) * TIER_SECONDS[tier] + TIER_SECONDS[tier];
    replayRaw(db, oldMap, map, say);
  }
  for (const tier of TIERS) convertRollups(db, oldMap, map, tier, cut[tier]);
  if (firstTs !== null) convertAttributes(db, oldMap, map, Number(firstTs));
  for (const t of old) db.exec(`DROP TABLE v1_${t}`);
  say(`history database migrated to schema version ${SCHEMA_VERSION}`);
}

/** Every raw tick of version 1, decoded into readings and written by the version-2 writer. */
function replayRaw(db: Db, oldMap: Record<Kind, { col: string; type: string }[]>, map: ReturnType<typeof readKeyMap>, say: (m: string) => void): void {
  const ticks = db.prepare('SELECT id, ts, collect_us, domains FROM v1_tick ORDER BY id').all() as Row[];
  say(`migrating ${ticks.length} raw ticks of the history database to schema version ${SCHEMA_VERSION} ...`);
  const devices = new Map(
    (
      db
        .prepare('SELECT v.id, v.kind, v.idx, v.name, v.path, d.key, d.uuid, d.name AS dname, d.hv_type FROM device v JOIN domain d ON d.id = v.domain_id')
        .all() as Row[]
    ).map((r) => [Number(r.id), r]),
  );
  const readings = new Map<number, (bigint | null)[]>();
  const stmts = Object.fromEntries(KINDS.map((k) => [k, db.prepare(`SELECT * FROM v1_${k}_sample WHERE tick_id = ?`)])) as Record<
    Kind,
    ReturnType<Db['prepare']>
  >;
  const writer = new HistoryWriter(db);
  let prevTs: number | null = null;
  for (const t of ticks) {
    const ts = Number(t.ts);
    const doms = new Map<string, DomainSample>();
    for (const kind of KINDS) {
      const cols = oldMap[kind] ?? [];
      for (const r of stmts[kind].all(t.id as bigint) as Row[]) {
        const id = Number(r.device_id);
        const dv = devices.get(id)!;
        let cur = readings.get(id);
        if (r.dt_ms === null || cur === undefined) cur = cols.map((c) => decodeBase(r[c.col], c.type));
        else cur = cur.map((v, j) => (v === null || r[cols[j]!.col] === null ? null : v + fromSql(r[cols[j]!.col])!));
        readings.set(id, cur);
        const key = String(dv.key);
        let dom = doms.get(key);
        if (dom === undefined) {
          dom = { key, name: String(dv.dname), hvType: String(dv.hv_type), domid: 0, devices: [] };
          if (dv.uuid !== null) dom.uuid = String(dv.uuid);
          doms.set(key, dom);
        }
        const d: DeviceSample = newDevice(
          { kind, idx: dv.idx === null ? null : Number(dv.idx), name: String(dv.name), ...(dv.path !== null ? { path: String(dv.path) } : {}) },
          map.columns[kind].length,
        );
        cols.forEach((c, j) => {
          const pos = map.columns[kind].findIndex((x) => x.col === c.col);
          const v = cur[j];
          if (pos >= 0 && v !== null && v !== undefined) setReading(d, pos, v);
        });
        if (kind === 'domain') {
          const domid = cur[cols.findIndex((c) => c.col === 'domid')];
          dom.domid = domid === null || domid === undefined ? -1 : Number(domid);
        }
        dom.devices.push(d);
      }
    }
    // Version 1 kept wall-clock times only: they stand in for the monotonic clock here.
    writer.write({ ts, mono: ts, dt: prevTs === null ? null : ts - prevTs, collectUs: Number(t.collect_us), domains: [...doms.values()] });
    prevTs = ts;
  }
  writer.flushOpen();
}

function decodeBase(v: unknown, type: string): bigint | null {
  const b = fromSql(v);
  return b === null ? null : type === 'counter' ? v1Counter(b) : b;
}

/** Version 1's rollup rows of buckets before `cut` (the first one the replay covers whole), as slots. */
function convertRollups(db: Db, oldMap: Record<Kind, { col: string; type: string }[]>, map: ReturnType<typeof readKeyMap>, tier: Tier, cut: number): void {
  const covers = new Map<number, number>();
  for (const kind of KINDS) {
    const l = map.layouts[kind];
    const oldCols = new Set((oldMap[kind] ?? []).map((c) => c.col));
    const rows = db.prepare(`SELECT * FROM v1_${kind}_${tier} WHERE bucket < ? ORDER BY bucket`).all(cut) as Row[];
    for (const r of rows) {
      const bucket = Number(r.bucket);
      const ms = Math.round(Number(r.secs) * 1000);
      covers.set(bucket, Math.max(covers.get(bucket) ?? 0, ms));
    }
    for (const r of rows) {
      const bucket = Number(r.bucket);
      const values: (number | bigint | string | null)[] = [covers.get(bucket)! - Math.round(Number(r.secs) * 1000)];
      for (let j = 0; j < l.sampled.length; j++) {
        const c = l.columns[l.sampled[j]!]!;
        const scale = BigInt(c.scale);
        const has = oldCols.has(c.col);
        const int = (v: unknown) => {
          const b = has ? fromSql(typeof v === 'number' ? Math.round(v) : v) : null;
          return b === null || b % scale !== 0n ? null : toSql(b / scale);
        };
        if (c.type === 'counter') {
          values.push(int(r[`${c.col}_sum`]));
          if (c.peak) values.push(has && r[`${c.col}_max`] !== null ? Math.round(Number(r[`${c.col}_max`]) / c.scale) : null);
        } else {
          values.push(
            has && r[`${c.col}_mean`] !== null ? Math.round(Number(r[`${c.col}_mean`]) / c.scale) : null,
            int(r[`${c.col}_${c.low ? 'min' : 'max'}`]),
          );
        }
      }
      const cols = l.slotColumns.map((c) => `${c}_${slotOf(tier, bucket)}`);
      db.prepare(
        `INSERT INTO ${kind}_${tier}_block (block, device_id, ${cols.join(', ')}) VALUES (?, ?, ${cols.map(() => '?').join(', ')}) ON CONFLICT (block, device_id) DO UPDATE SET ${cols.map((c) => `${c} = excluded.${c}`).join(', ')}`,
      ).run(blockOf(tier, bucket), r.device_id, ...values);
    }
  }
  const cover = db.prepare(`INSERT INTO cover_${tier} (bucket, ms) VALUES (?, ?) ON CONFLICT (bucket) DO UPDATE SET ms = excluded.ms`);
  for (const [bucket, ms] of covers) cover.run(bucket, ms);
}

/** Attribute changes before the raw tier, from the last reading of each rollup bucket that ended before it (hours, then minutes). */
function convertAttributes(db: Db, oldMap: Record<Kind, { col: string; type: string }[]>, map: ReturnType<typeof readKeyMap>, firstRawTs: number): void {
  const insert = db.prepare('INSERT OR IGNORE INTO attribute (device_id, col, ts, value) VALUES (?, ?, ?, ?)');
  for (const kind of KINDS) {
    const attrs = map.columns[kind].filter((c) => c.type === 'attribute' && (oldMap[kind] ?? []).some((o) => o.col === c.col));
    if (attrs.length === 0) continue;
    const minuteStart = Number((db.prepare(`SELECT min(bucket) FROM v1_${kind}_1m`).pluck().get() as bigint | null) ?? Infinity);
    const ended = (tier: Tier) => `bucket + ${TIER_SECONDS[tier]} <= ${Math.floor(firstRawTs / 1000)}`;
    const rows = [
      ...(db.prepare(`SELECT * FROM v1_${kind}_1h WHERE ${ended('1h')} AND bucket < ? ORDER BY bucket`).all(minuteStart) as Row[]),
      ...(db.prepare(`SELECT * FROM v1_${kind}_1m WHERE ${ended('1m')} ORDER BY bucket`).all() as Row[]),
    ].sort((a, b) => Number(a.bucket) - Number(b.bucket));
    const last = new Map<string, bigint | null>();
    for (const r of rows) {
      for (const c of attrs) {
        const k = `${r.device_id}/${c.col}`;
        const v = fromSql(r[`${c.col}_last`]);
        if (v === null || last.get(k) === v) continue;
        last.set(k, v);
        insert.run(r.device_id, c.col, Number(r.bucket) * 1000, toSqlExact(v));
      }
    }
  }
}
