// The history writer: one transaction per tick (all of a tick or none of it), delta-encoded raw
// rows with base rows at first sight, after a reset and every keyframe period, and rollups fed
// from committed ticks only. If a tick fails (disk full, lock), nothing in memory moves: the next
// tick is computed against the last committed state, so history never has a gap it cannot explain.

import type { Db } from './db.js';
import { KINDS, readKeyMap, type Column, type KeyMap, type Kind } from './key-map.js';
import { Accumulator, counterFlags, encode, rollupUpsertSql, type Tier } from './rollup.js';
import type { DeviceSample, DomainSample } from './samples.js';
import { f64 } from './f64-slab.js';
import type Database from 'better-sqlite3';

export const KEYFRAME_MS = 10 * 60 * 1000;
const TWO_32 = 2 ** 32;
const TWO_31 = 2 ** 31;
const TWO_63 = 1n << 63n;
const SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const hourOf = (bucket: number) => Math.floor(bucket / 3600) * 3600;
/** A minute with samples that is not the open one. */
const isClosed = (m: Accumulator | undefined, minuteNow: number): m is Accumulator => m !== undefined && m.n > 0 && m.bucket !== minuteNow;
/** Rows per INSERT statement: one call into SQLite for many rows is a third cheaper per row. */
const BATCH = 64;

/** What the writer keeps per device: its last committed readings (its own copy) and its open minute. */
interface DeviceSlot {
  id: number;
  kind: Kind;
  values: Float64Array;
  big: Map<number, bigint> | undefined;
  ts: number;
  keyframe: number;
  domid: number;
  /** Never written yet (no readings to compare with). */
  fresh: boolean;
  minute: Accumulator | undefined;
  /** This tick, until it commits: the readings, their changes (scratch, reused) or a base row. */
  tick: { dev: DeviceSample; domid: number; dt: number | null; base: boolean };
  deltas: Float64Array;
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

/**
 * Changes of one device since its last committed readings, into `out`; false when a base row is
 * due: a column came or went, a counter went down (unless a 32-bit source wrapped), a counter
 * passed 2^63 (its stored value turns negative there, see encode(), and a running sum across that
 * point would overflow SQLite's integers in the <kind>_value views), or a change of 2^53 or more
 * (no real counter grows that fast; it keeps every change exact in double arithmetic).
 */
export function deltas(
  counter: Uint8Array,
  prev: { values: Float64Array; big?: Map<number, bigint> | undefined },
  cur: DeviceSample,
  wrap32: boolean,
  out: Float64Array,
): boolean {
  const pv = prev.values;
  const cv = cur.values;
  const pb = prev.big;
  const cb = cur.big;
  const exact = pb !== undefined || cb !== undefined;
  for (let i = 0; i < counter.length; i++) {
    const p = pv[i]!;
    const c = cv[i]!;
    if (p !== p || c !== c) {
      if ((p !== p) !== (c !== c)) return false;
      out[i] = NaN;
      continue;
    }
    let d = c - p; // exact when both are integers below 2^53
    if (exact && (pb?.has(i) || cb?.has(i))) {
      const x = pb?.get(i) ?? BigInt(p);
      const y = cb?.get(i) ?? BigInt(c);
      const e = y - x;
      if ((counter[i] && ((x < TWO_63 && y >= TWO_63) || e < 0n)) || e > SAFE || e < -SAFE) return false;
      d = Number(e);
    } else if (d < 0 && counter[i]) {
      // A 32-bit source that passed 2^32 wraps; any other decrease is a reset.
      if (wrap32 && p < TWO_32 && c + TWO_32 - p < TWO_31) d = c + TWO_32 - p;
      else return false;
    }
    out[i] = d;
  }
  return true;
}

/** Raw rows of one kind, bound in batches of BATCH rows per statement. */
class RowBatch {
  private readonly bind: (number | bigint | null)[];
  private rows = 0;
  private readonly single: Database.Statement;
  private readonly many: Database.Statement;

  constructor(db: Db, kind: Kind, columns: readonly Column[]) {
    const cols = ['tick_id', 'device_id', 'dt_ms', ...columns.map((c) => c.col)];
    const one = `(${cols.map(() => '?').join(', ')})`;
    const sql = `INSERT INTO ${kind}_sample (${cols.join(', ')}) VALUES `;
    this.single = db.prepare(sql + one);
    this.many = db.prepare(sql + Array(BATCH).fill(one).join(', '));
    this.bind = new Array(BATCH * cols.length);
    this.width = cols.length;
  }
  private readonly width: number;

  /** Adds a row; returns how many of its values are not NULL. */
  add(tickId: number, deviceId: number, dt: number | null, values: Float64Array, big: ReadonlyMap<number, bigint> | undefined): number {
    const b = this.bind;
    let o = this.rows * this.width;
    b[o++] = tickId;
    b[o++] = deviceId;
    b[o++] = dt;
    let stored = 0;
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      const x = big?.get(i);
      b[o++] = x !== undefined ? encode(x) : v === v ? v : null;
      if (v === v) stored++;
    }
    if (++this.rows === BATCH) this.flush();
    return stored;
  }

  flush(): void {
    if (this.rows === BATCH) this.many.run(this.bind);
    else for (let r = 0; r < this.rows; r++) this.single.run(this.bind.slice(r * this.width, (r + 1) * this.width));
    this.rows = 0;
  }

  /** Drops rows not yet written (their transaction failed). */
  clear(): void {
    this.rows = 0;
  }
}

export class HistoryWriter {
  readonly map: KeyMap;
  private readonly rows: Record<Kind, RowBatch>;
  private readonly counter: Record<Kind, Uint8Array>;
  private readonly upsert: Record<Tier, Record<Kind, Database.Statement>>;
  private readonly insertTick: Database.Statement;
  private readonly domainIds = new Map<string, { id: number; name: string }>();
  /**
   * Device ids by domain id, kind, idx and name. One map with string keys: nested maps per domain
   * held ~12 small maps per domain (3 MB at 1000 domains); keys are built only for samples seen
   * for the first time (the plans hand in the same objects every tick, see `known`) and for
   * domains sampled by their drivers.
   */
  private readonly deviceIds = new Map<string, number>();
  /** Device ids by sample object: the agent's sampling plan hands in the same objects every tick. */
  private known = new WeakMap<DeviceSample, DeviceSlot>();
  private readonly slots = new Map<number, DeviceSlot>();
  /** Open hour buckets by device id, holding the minutes closed so far. */
  private readonly hours = new Map<number, Accumulator>();
  private minute = NaN;
  /** The slots of the tick being written (one array for every tick). */
  private readonly touched: DeviceSlot[] = [];

  constructor(
    private readonly db: Db,
    private readonly keyframeMs = KEYFRAME_MS,
  ) {
    this.map = readKeyMap(db);
    const each = <T>(f: (k: Kind) => T) => Object.fromEntries(KINDS.map((k) => [k, f(k)])) as Record<Kind, T>;
    this.rows = each((k) => new RowBatch(db, k, this.map.columns[k]));
    this.counter = each((k) => counterFlags(this.map.columns[k]));
    const up = (t: Tier) => each((k) => db.prepare(rollupUpsertSql(k, t, this.map.columns[k])));
    this.upsert = { '1m': up('1m'), '1h': up('1h') };
    this.insertTick = db.prepare('INSERT INTO tick (ts, collect_us, domains, keyframe) VALUES (?, ?, ?, ?) RETURNING id').pluck();
  }

  private domainId(s: DomainSample): number {
    const known = this.domainIds.get(s.key);
    if (known !== undefined && known.name === s.name) return known.id;
    const id = Number(
      this.db
        .prepare(
          'INSERT INTO domain (key, uuid, name, hv_type) VALUES (?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET name = excluded.name, uuid = excluded.uuid, hv_type = excluded.hv_type RETURNING id',
        )
        .pluck()
        .get(s.key, s.uuid ?? null, s.name, s.hvType) as bigint,
    );
    this.domainIds.set(s.key, { id, name: s.name });
    return id;
  }

  private slot(domainId: number, d: DeviceSample): DeviceSlot {
    let s = this.known.get(d);
    if (s !== undefined) return s;
    const id = this.lookUpDevice(domainId, d);
    s = this.slots.get(id);
    if (s === undefined) {
      const width = this.map.columns[d.kind].length;
      s = {
        id,
        kind: d.kind,
        values: f64(width),
        big: undefined,
        ts: 0,
        keyframe: NaN,
        domid: NaN,
        fresh: true,
        minute: undefined,
        tick: { dev: d, domid: 0, dt: null, base: true },
        deltas: f64(width),
      };
      this.slots.set(id, s);
    }
    this.known.set(d, s);
    return s;
  }

  private lookUpDevice(domainId: number, d: DeviceSample): number {
    const key = `${domainId}/${d.kind}/${d.idx}/${d.name}`;
    const known = this.deviceIds.get(key);
    if (known !== undefined) return known;
    const found = this.db
      .prepare('SELECT id FROM device WHERE domain_id = ? AND kind = ? AND idx IS ? AND name = ?')
      .pluck()
      .get(domainId, d.kind, d.idx, d.name) as bigint | undefined;
    const id = Number(
      found ??
        (this.db
          .prepare('INSERT INTO device (domain_id, kind, idx, name, path) VALUES (?, ?, ?, ?, ?) RETURNING id')
          .pluck()
          .get(domainId, d.kind, d.idx, d.name, d.path ?? null) as bigint),
    );
    this.deviceIds.set(key, id);
    return id;
  }

  /** Writes one tick in one transaction; throws (and changes nothing in memory) if it fails. */
  write(tick: TickInput): TickResult {
    const keyframe = Math.floor(tick.ts / this.keyframeMs);
    const minute = Math.floor(tick.ts / 60_000) * 60;
    const touched = this.touched;
    touched.length = 0;
    let values = 0;
    const hourNow = hourOf(minute);
    const closing = minute !== this.minute;
    const run = this.db.transaction(() => {
      let domains = 0;
      for (const d of tick.domains) if (d.key !== '@host') domains++;
      const tickId = Number(this.insertTick.get(tick.ts, tick.collectUs, domains, keyframe) as bigint);
      for (const dom of tick.domains) {
        const domainId = this.domainId(dom);
        for (const dev of dom.devices) {
          const s = this.slot(domainId, dev);
          const t = s.tick;
          t.dev = dev;
          t.domid = dom.domid;
          t.base = s.fresh || s.keyframe !== keyframe || s.domid !== dom.domid || !deltas(this.counter[dev.kind], s, dev, !!dev.wrap32, s.deltas);
          t.dt = t.base ? null : tick.ts - s.ts;
          values += t.base
            ? this.rows[dev.kind].add(tickId, s.id, null, dev.values, dev.big)
            : this.rows[dev.kind].add(tickId, s.id, t.dt, s.deltas, undefined);
          touched.push(s);
        }
      }
      for (const k of KINDS) this.rows[k].flush();
      // A new minute: the open minutes are complete, and so are the hours left behind.
      if (closing) this.writeClosed(minute, hourNow);
      return tickId;
    });
    let tickId: number;
    try {
      tickId = run.immediate() as number;
    } catch (e) {
      for (const k of KINDS) this.rows[k].clear();
      for (const s of touched) if (s.fresh) this.slots.delete(s.id); // its id may go to another device
      this.forgetIds(); // rows inserted by the failed transaction are gone
      throw e;
    }
    // Committed: now, and only now, move the in-memory state forward.
    if (closing) this.foldClosed(minute, hourNow);
    this.minute = minute;
    for (const s of touched) {
      const t = s.tick;
      // A copy: the sampling plan refills its arrays in place every tick.
      if (s.values.length === t.dev.values.length) s.values.set(t.dev.values);
      else s.values = t.dev.values.slice();
      s.big = t.dev.big;
      s.ts = tick.ts;
      s.keyframe = keyframe;
      s.domid = t.domid;
      s.fresh = false;
      if (s.minute === undefined) s.minute = new Accumulator(s.kind, s.id, minute, this.map.columns[s.kind]);
      else if (s.minute.bucket !== minute) s.minute.reset(minute);
      s.minute.add(t.dev.values, t.dev.big, t.base ? null : s.deltas, t.dt);
    }
    return { tickId, values, rows: touched.length };
  }

  /**
   * In the tick's transaction: writes the minutes that closed (those before `minuteNow`) and the
   * hours that close with them (before `hourNow`), an hour's last minute folded into a copy.
   * Memory is left alone, so a failed transaction changes nothing: foldClosed() moves it on.
   */
  private writeClosed(minuteNow: number, hourNow: number): void {
    const writeHour = (h: Accumulator) => this.upsert['1h'][h.kind].run(h.row());
    for (const { minute: m } of this.slots.values()) {
      if (!isClosed(m, minuteNow)) continue;
      this.upsert['1m'][m.kind].run(m.row());
      const hour = hourOf(m.bucket);
      const h = this.hours.get(m.deviceId);
      if (h !== undefined && h.bucket !== hour) writeHour(h); // an earlier hour, complete
      if (hour !== hourNow) {
        const last = h !== undefined && h.bucket === hour ? h.clone() : m.empty(hour);
        last.merge(m);
        writeHour(last);
      }
    }
    // Hours of devices without a minute to close (not sampled for a while).
    for (const h of this.hours.values()) if (h.bucket !== hourNow && !isClosed(this.slots.get(h.deviceId)?.minute, minuteNow)) writeHour(h);
  }

  /**
   * Once the transaction has committed: each closed minute folded into its open hour, in place (no
   * copy of every hour each minute), hours that were written dropped, minutes emptied.
   */
  private foldClosed(minuteNow: number, hourNow: number): void {
    for (const s of this.slots.values()) {
      const m = s.minute;
      if (!isClosed(m, minuteNow)) continue;
      const hour = hourOf(m.bucket);
      if (hour === hourNow) {
        let h = this.hours.get(s.id);
        if (h === undefined) this.hours.set(s.id, (h = m.empty(hour)));
        else if (h.bucket !== hour) h.reset(hour);
        h.merge(m);
      }
      m.reset(NaN); // written: empty until its next sample
    }
    for (const [id, h] of this.hours) if (h.bucket !== hourNow) this.hours.delete(id);
  }

  /** Writes the open (partial) buckets, e.g. at shutdown; they merge with the rest later. */
  flushRollups(): void {
    this.db.transaction(() => this.writeClosed(NaN, NaN)).immediate();
    this.foldClosed(NaN, NaN);
  }

  /** Forget ids cached for rows that a failed transaction may have rolled back. */
  forgetIds(): void {
    this.domainIds.clear();
    this.deviceIds.clear();
    this.known = new WeakMap();
  }
}
