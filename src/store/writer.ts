// The history writer: one transaction per tick (all of a tick or none of it), delta-encoded raw
// rows with base rows at first sight, after a reset and every keyframe period, and rollups fed
// from committed ticks only. If a tick fails (disk full, lock), nothing in memory moves: the next
// tick is computed against the last committed state, so history never has a gap it cannot explain.

import type { Db } from './db.js';
import { KINDS, readKeyMap, type Column, type KeyMap, type Kind } from './key-map.js';
import { Accumulator, encode, rollupUpsertSql, TIER_SECONDS, type Tier } from './rollup.js';
import type { DeviceSample, DomainSample } from './samples.js';
import type Database from 'better-sqlite3';

export const KEYFRAME_MS = 10 * 60 * 1000;
const TWO_32 = 1n << 32n;
const TWO_31 = 1n << 31n;
const TWO_63 = 1n << 63n;

interface DeviceState {
  values: (bigint | undefined)[];
  ts: number;
  keyframe: number;
  domid: number;
}

export interface TickInput {
  /** Wall-clock time of the sample, Unix ms. */
  ts: number;
  collectUs: number;
  domains: DomainSample[];
}

export interface TickResult {
  tickId: number;
  /** Values stored (non-NULL readings or changes). */
  values: number;
  rows: number;
}

/** Deltas for one device against its last committed readings, or null when a base row is due. */
export function deltas(columns: readonly Column[], prev: readonly (bigint | undefined)[], cur: readonly (bigint | undefined)[], wrap32: boolean): (bigint | undefined)[] | null {
  const out: (bigint | undefined)[] = new Array(columns.length);
  for (let i = 0; i < columns.length; i++) {
    const p = prev[i];
    const c = cur[i];
    if ((p === undefined) !== (c === undefined)) return null; // a column came or went: start afresh
    if (p === undefined || c === undefined) continue;
    let d = c - p;
    // A counter passing 2^63 starts a base row: its stored value turns negative there (see
    // encode()), and a running sum across that point would overflow SQLite's integers in the
    // <kind>_value views.
    if (columns[i]!.type === 'counter' && p < TWO_63 && c >= TWO_63) return null;
    if (d < 0n && columns[i]!.type === 'counter') {
      // A 32-bit source that passed 2^32 wraps; any other decrease is a reset.
      if (wrap32 && p < TWO_32 && c + TWO_32 - p < TWO_31) d = c + TWO_32 - p;
      else return null;
    }
    out[i] = d;
  }
  return out;
}

export class HistoryWriter {
  readonly map: KeyMap;
  private readonly insertRow: Record<Kind, Database.Statement>;
  private readonly upsert: Record<Tier, Record<Kind, Database.Statement>>;
  private readonly insertTick: Database.Statement;
  private readonly domainIds = new Map<string, { id: number; name: string }>();
  /** Device ids by domain id, kind, idx and name: nested maps, so no key string is built per device per tick. */
  private readonly deviceIds = new Map<number, Map<Kind, Map<number | null, Map<string, number>>>>();
  private state = new Map<number, DeviceState>();
  private readonly acc: Record<Tier, Map<number, Accumulator>> = { '1m': new Map(), '1h': new Map() };

  constructor(
    private readonly db: Db,
    private readonly keyframeMs = KEYFRAME_MS,
  ) {
    this.map = readKeyMap(db);
    const rowSql = (k: Kind) => {
      const cols = ['tick_id', 'device_id', 'dt_ms', ...this.map.columns[k].map((c) => c.col)];
      return db.prepare(`INSERT INTO ${k}_sample (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`);
    };
    this.insertRow = Object.fromEntries(KINDS.map((k) => [k, rowSql(k)])) as Record<Kind, Database.Statement>;
    const up = (t: Tier) => Object.fromEntries(KINDS.map((k) => [k, db.prepare(rollupUpsertSql(k, t, this.map.columns[k]))])) as Record<Kind, Database.Statement>;
    this.upsert = { '1m': up('1m'), '1h': up('1h') };
    this.insertTick = db.prepare('INSERT INTO tick (ts, collect_us, domains, keyframe) VALUES (?, ?, ?, ?) RETURNING id').pluck();
  }

  private domainId(s: DomainSample): number {
    const known = this.domainIds.get(s.key);
    if (known !== undefined && known.name === s.name) return known.id;
    const id = Number(
      this.db
        .prepare('INSERT INTO domain (key, uuid, name, hv_type) VALUES (?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET name = excluded.name, uuid = excluded.uuid, hv_type = excluded.hv_type RETURNING id')
        .pluck()
        .get(s.key, s.uuid ?? null, s.name, s.hvType) as bigint,
    );
    this.domainIds.set(s.key, { id, name: s.name });
    return id;
  }

  private deviceId(domainId: number, d: DeviceSample): number {
    let byKind = this.deviceIds.get(domainId);
    if (byKind === undefined) this.deviceIds.set(domainId, (byKind = new Map()));
    let byIdx = byKind.get(d.kind);
    if (byIdx === undefined) byKind.set(d.kind, (byIdx = new Map()));
    let byName = byIdx.get(d.idx);
    if (byName === undefined) byIdx.set(d.idx, (byName = new Map()));
    const known = byName.get(d.name);
    if (known !== undefined) return known;
    const found = this.db.prepare('SELECT id FROM device WHERE domain_id = ? AND kind = ? AND idx IS ? AND name = ?').pluck().get(domainId, d.kind, d.idx, d.name) as bigint | undefined;
    const id = Number(found ?? (this.db.prepare('INSERT INTO device (domain_id, kind, idx, name, path) VALUES (?, ?, ?, ?, ?) RETURNING id').pluck().get(domainId, d.kind, d.idx, d.name, d.path ?? null) as bigint));
    byName.set(d.name, id);
    return id;
  }

  /** Writes one tick in one transaction; throws (and changes nothing in memory) if it fails. */
  write(tick: TickInput): TickResult {
    const keyframe = Math.floor(tick.ts / this.keyframeMs);
    const next = new Map<number, DeviceState>();
    const fed: { kind: Kind; id: number; values: (bigint | undefined)[]; deltas: (bigint | undefined)[] | null; dt: number | null }[] = [];
    const closing: Record<Tier, Accumulator[]> = { '1m': [], '1h': [] };
    let values = 0;
    let rows = 0;
    const run = this.db.transaction(() => {
      const tickId = Number(this.insertTick.get(tick.ts, tick.collectUs, tick.domains.filter((d) => d.key !== '@host').length, keyframe) as bigint);
      for (const dom of tick.domains) {
        const domainId = this.domainId(dom);
        for (const dev of dom.devices) {
          const id = this.deviceId(domainId, dev);
          const cols = this.map.columns[dev.kind];
          const prev = this.state.get(id);
          const d = prev === undefined || prev.keyframe !== keyframe || prev.domid !== dom.domid ? null : deltas(cols, prev.values, dev.values, !!dev.wrap32);
          const dt = d === null || prev === undefined ? null : tick.ts - prev.ts;
          const bind: (number | bigint | null)[] = [tickId, id, dt];
          for (let i = 0; i < cols.length; i++) {
            const v = d === null ? encode(dev.values[i]) : encode(d[i]);
            if (v !== null) values++;
            bind.push(v);
          }
          this.insertRow[dev.kind].run(bind);
          rows++;
          next.set(id, { values: dev.values, ts: tick.ts, keyframe, domid: dom.domid });
          fed.push({ kind: dev.kind, id, values: dev.values, deltas: d, dt });
        }
      }
      // Buckets that this tick has left behind are complete: write them.
      for (const tier of ['1m', '1h'] as Tier[]) {
        const bucket = Math.floor(tick.ts / 1000 / TIER_SECONDS[tier]) * TIER_SECONDS[tier];
        for (const a of this.acc[tier].values()) {
          if (a.bucket !== bucket) {
            this.upsert[tier][a.kind].run(a.row());
            closing[tier].push(a);
          }
        }
      }
      return tickId;
    });
    let tickId: number;
    try {
      tickId = run.immediate() as number;
    } catch (e) {
      this.forgetIds(); // rows inserted by the failed transaction are gone
      throw e;
    }
    // Committed: now, and only now, move the in-memory state forward.
    for (const [id, s] of next) this.state.set(id, s);
    for (const tier of ['1m', '1h'] as Tier[]) {
      for (const a of closing[tier]) this.acc[tier].delete(a.deviceId);
      const bucket = Math.floor(tick.ts / 1000 / TIER_SECONDS[tier]) * TIER_SECONDS[tier];
      for (const f of fed) {
        let a = this.acc[tier].get(f.id);
        if (a === undefined) {
          a = new Accumulator(f.kind, f.id, bucket, this.map.columns[f.kind]);
          this.acc[tier].set(f.id, a);
        }
        a.add(f.values, f.deltas, f.dt);
      }
    }
    return { tickId, values, rows };
  }

  /** Writes the open (partial) buckets, e.g. at shutdown; they merge with the rest later. */
  flushRollups(): void {
    this.db.transaction(() => {
      for (const tier of ['1m', '1h'] as Tier[]) for (const a of this.acc[tier].values()) this.upsert[tier][a.kind].run(a.row());
    }).immediate();
    this.acc['1m'].clear();
    this.acc['1h'].clear();
  }

  /** Forget ids cached for rows that a failed transaction may have rolled back. */
  forgetIds(): void {
    this.domainIds.clear();
    this.deviceIds.clear();
  }
}
