// The history writer: one transaction per tick (all of a tick or none of it). Per device it stores
// the increase of every counter since its previous row (a reset or a first reading has none), the
// change of every gauge, the readings in full at a first sight, a reset and each keyframe period,
// and attribute changes. Rollups are built in memory from committed ticks and written as slots of
// their blocks when a minute (hour) closes, in the transaction of the tick that closes it. If a
// tick fails (disk full, lock), nothing in memory moves: the next tick is computed against the
// last committed state. Every piece of that state can be rebuilt from the database (recover()),
// so an agent killed at any moment loses at most the tick it was writing.

import { InternalError } from '../common/errors.js';
import type Database from 'better-sqlite3';
import type { Db } from './db.js';
import { readKeyMap, type KeyMap } from './key-map.js';
import { KINDS, type Kind } from '../sample/row-map.js';
import { blockOf, KEYFRAME_MS, slotOf, TIER_SECONDS, TIERS, type KindLayout, type Tier } from './layout.js';
import { Bucket } from './rollup.js';
import { HOST_KEY, type DeviceSample, type DomainSample } from '../sample/rows.js';
import { toSqlExact } from './exact.js';
import { f64 } from '../sample/f64-slab.js';
import { recoverState, type RecoveredDevice } from './recover.js';

const TWO_32 = 2 ** 32;
const SAFE = Number.MAX_SAFE_INTEGER;
const SAFE_N = BigInt(SAFE);
/** Where a raw row's sampled columns start (after tick_id, device_id and dt). */
const SAMPLED_AT = 3;
/** Rows per INSERT statement: one call into SQLite for many rows is a third cheaper per row. */
const BATCH = 64;
const minuteOf = (ts: number) => Math.floor(ts / 60_000) * 60;
const hourOf = (bucket: number) => Math.floor(bucket / 3600) * 3600;

export interface TickInput {
  /** Time of the sample, Unix ms; never less than the previous tick's (the agent's clock sees to it). */
  ts: number;
  /** The monotonic clock at the sample, ms. */
  mono: number;
  /**
   * ms since the previous tick by the monotonic clock; null when not known (the first tick, a
   * reboot). When known, the writer counts from its last stored tick (see write()).
   */
  dt: number | null;
  collectUs: number;
  domains: DomainSample[];
}

export interface TickResult {
  tickId: number;
  /** Values stored (non-NULL increases, changes and readings). */
  values: number;
  rows: number;
  /** Values that could not be stored as they are (not a whole multiple of the column's scale). */
  problems: string[];
}

type AttrRow = [number, string, number, bigint | string | null];

/** One tick's facts, worked out before its transaction. */
interface TickPlan {
  tick: TickInput;
  /** Keyframe period, minute and hour of the tick. */
  period: number;
  minute: number;
  hour: number;
  /** The clock run the tick belongs to. */
  run: number;
  /** ms since the last tick stored; null when not known. */
  tickDt: number | null;
  /** The open minute (hour) closes with this tick. */
  closing: Record<Tier, boolean>;
  /** The last committed tick's id (-1: none). */
  prevTick: number;
  /** Attribute changes to log. */
  attrs: AttrRow[];
  /** Values stored, counted by rows(). */
  values: number;
}

/** What the writer keeps per device: its last committed readings and its open buckets. */
interface Device {
  id: number;
  layout: KindLayout;
  /** Last committed readings by column position (NaN: unknown); exact ones of 2^53 or more beside. */
  values: Float64Array;
  big: Map<number, bigint> | undefined;
  /** Attributes as last logged, by column position. */
  attrs: Float64Array;
  attrBig: Map<number, bigint> | undefined;
  /** The tick of its last row, the monotonic clock then, and the clock run that belongs to. */
  tickId: number;
  mono: number;
  run: number;
  /** Keyframe period of its last base row; NaN: none yet. */
  period: number;
  /** Its domain's id at its last row (NaN: not known, e.g. after a restart). */
  domid: number;
  /** This tick's domain id, until it commits. */
  nextDomid: number;
  buckets: Record<Tier, Bucket>;
  /** This tick, until it commits. */
  cur: DeviceSample;
  base: boolean;
  dt: number | null;
  /** Per sampled column: counters' increases, gauges' readings (stored units) for the buckets. */
  inc: Float64Array;
}

/** Raw or base rows of one kind, bound in batches of BATCH rows per statement. */
class RowBatch {
  private readonly bind: (number | bigint | string | null)[];
  private rows = 0;
  private readonly single: Database.Statement;
  private readonly many: Database.Statement;
  readonly width: number;

  constructor(db: Db, table: string, columns: readonly string[]) {
    const one = `(${columns.map(() => '?').join(', ')})`;
    const sql = `INSERT INTO ${table} (${columns.join(', ')}) VALUES `;
    this.single = db.prepare(sql + one);
    this.many = db.prepare(sql + Array(BATCH).fill(one).join(', '));
    this.width = columns.length;
    this.bind = new Array(BATCH * this.width);
  }

  /** The next row's place in the bind array (fill width values from there). */
  next(): number {
    if (this.rows === BATCH) this.flush();
    return this.rows++ * this.width;
  }

  get array(): (number | bigint | string | null)[] {
    return this.bind;
  }

  flush(): void {
    if (this.rows === BATCH) this.many.run(this.bind);
    else for (let r = 0; r < this.rows; r++) this.single.run(this.bind.slice(r * this.width, (r + 1) * this.width));
    this.rows = 0;
  }

  clear(): void {
    this.rows = 0;
  }
}

/**
 * Raw rows of one kind. A row is filled in `row` (tick_id, device_id, dt, then the sampled
 * columns), then bound with its non-NULL values only, the others left to the columns' default
 * NULL: a Xen domain's row is two parameters, not 24, and each parameter costs a call into
 * better-sqlite3's binder. Rows go in batches per set of columns (a kind has one or two sets in
 * practice).
 */
class RawRows {
  /** The row being filled. */
  readonly row: (number | null)[];
  private readonly batches = new Map<number, RowBatch>();
  /** Columns past the key that a set can name by a bit (more: every row binds them all). */
  private readonly optional: number;

  constructor(
    private readonly db: Db,
    private readonly table: string,
    private readonly columns: readonly string[],
  ) {
    this.row = new Array<number | null>(columns.length).fill(null);
    this.optional = columns.length - 2 <= 30 ? columns.length - 2 : 0;
  }

  /** Adds the filled row to its batch. */
  add(): void {
    const row = this.row;
    let set = 0;
    for (let j = 0; j < this.optional; j++) if (row[2 + j] !== null) set |= 1 << j;
    let batch = this.batches.get(set);
    if (batch === undefined) {
      const named = this.columns.filter((_, c) => c < 2 || this.optional === 0 || (set & (1 << (c - 2))) !== 0);
      batch = new RowBatch(this.db, this.table, named);
      this.batches.set(set, batch);
    }
    const at = batch.next();
    const out = batch.array;
    out[at] = row[0]!;
    out[at + 1] = row[1]!;
    let k = at + 2;
    for (let c = 2; c < row.length; c++) if (this.optional === 0 || row[c] !== null) out[k++] = row[c]!;
  }

  flush(): void {
    for (const b of this.batches.values()) b.flush();
  }

  clear(): void {
    for (const b of this.batches.values()) b.clear();
  }
}

/** Upserts of one slot of a kind's blocks in one tier. */
class SlotWriter {
  private readonly stmts: Database.Statement[];

  constructor(db: Db, layout: KindLayout, tier: Tier, slots: number) {
    this.stmts = [];
    for (let s = 0; s < slots; s++) {
      const cols = layout.slotColumns.map((c) => `${c}_${s}`);
      this.stmts.push(
        db.prepare(
          `INSERT INTO ${layout.kind}_${tier}_block (block, device_id, ${cols.join(', ')}) VALUES (?, ?, ${cols.map(() => '?').join(', ')}) ` +
            `ON CONFLICT (block, device_id) DO UPDATE SET ${cols.map((c) => `${c} = excluded.${c}`).join(', ')}`,
        ),
      );
    }
  }

  write(tier: Tier, bucket: number, deviceId: number, values: readonly (number | null)[]): void {
    this.stmts[slotOf(tier, bucket)]!.run(blockOf(tier, bucket), deviceId, ...values);
  }
}

export class HistoryWriter {
  readonly map: KeyMap;
  private readonly raw: Record<Kind, RawRows>;
  private readonly base: Record<Kind, RowBatch>;
  private readonly slots: Record<Tier, Record<Kind, SlotWriter>>;
  private readonly insertTick: Database.Statement;
  private readonly insertAttr: Database.Statement;
  private readonly upsertCover: Record<Tier, Database.Statement>;
  private readonly tx: Database.Transaction<(p: TickPlan) => number>;
  private readonly domainIds = new Map<string, { id: number; name: string }>();
  /** Device ids by domain id, kind, idx and name (built only for samples not seen before). */
  private readonly deviceIds = new Map<string, number>();
  /** Device state by sample object: the agent's sampling plan hands in the same objects every tick. */
  private known = new WeakMap<DeviceSample, Device>();
  private readonly devices = new Map<number, Device>();
  /** Devices whose rows this tick's transaction inserted: a rollback takes their ids back, and SQLite hands them out again. */
  private readonly inserted: number[] = [];
  /** The clock run: a tick without a dt starts a new one (devices then start again from a base row). */
  private run = 0;
  private lastTick: { id: number; ts: number; mono: number } | null = null;
  /** The host's coverage (ms of ticks) of the open minute and hour. */
  private readonly cover: Record<Tier, { bucket: number; ms: number }> = { '1m': { bucket: NaN, ms: 0 }, '1h': { bucket: NaN, ms: 0 } };
  private readonly touched: Device[] = [];
  private problems: string[] = [];

  constructor(
    private readonly db: Db,
    private readonly keyframeMs = KEYFRAME_MS,
  ) {
    this.map = readKeyMap(db);
    const each = <T>(f: (k: Kind) => T) => Object.fromEntries(KINDS.map((k) => [k, f(k)])) as Record<Kind, T>;
    const sampledCols = (k: Kind) => [...this.map.layouts[k].sampled].map((i) => this.map.columns[k][i]!.col);
    this.raw = each((k) => new RawRows(db, `${k}_raw`, ['tick_id', 'device_id', 'dt', ...sampledCols(k)]));
    this.base = each((k) => new RowBatch(db, `${k}_base`, ['tick_id', 'device_id', ...sampledCols(k)]));
    this.slots = { '1m': each((k) => new SlotWriter(db, this.map.layouts[k], '1m', 6)), '1h': each((k) => new SlotWriter(db, this.map.layouts[k], '1h', 6)) };
    this.insertTick = db.prepare('INSERT INTO tick (ts, dt, mono, collect_us, domains) VALUES (?, ?, ?, ?, ?) RETURNING id').pluck();
    this.insertAttr = db.prepare('INSERT OR REPLACE INTO attribute (device_id, col, ts, value) VALUES (?, ?, ?, ?)');
    this.upsertCover = {
      '1m': db.prepare('INSERT INTO cover_1m (bucket, ms) VALUES (?, ?) ON CONFLICT (bucket) DO UPDATE SET ms = excluded.ms'),
      '1h': db.prepare('INSERT INTO cover_1h (bucket, ms) VALUES (?, ?) ON CONFLICT (bucket) DO UPDATE SET ms = excluded.ms'),
    };
    this.tx = db.transaction((p: TickPlan) => this.rows(p));
  }

  /** The last committed tick: its time and monotonic clock (the agent continues its clock from it). */
  get last(): { id: number; ts: number; mono: number } | null {
    return this.lastTick;
  }

  /**
   * Picks up where the database leaves off (after a restart or a crash): the devices' last
   * readings, the attributes as last logged, and the open minute and hour rebuilt from the rows
   * already stored. The next tick continues every series when its dt is known.
   */
  recover(): void {
    const r = recoverState(this.db, this.map, this.keyframeMs);
    if (r === null) return;
    this.lastTick = r.lastTick;
    for (const d of r.devices) this.devices.set(d.id, this.deviceFrom(d));
    for (const tier of TIERS) this.cover[tier] = { ...r.cover[tier] };
  }

  private deviceFrom(d: RecoveredDevice): Device {
    const layout = this.map.layouts[d.kind];
    const dev = this.newDevice(d.id, layout);
    dev.values.set(d.values);
    dev.big = d.big;
    dev.attrs.set(d.attrs);
    dev.attrBig = d.attrBig;
    dev.tickId = d.tickId;
    dev.mono = d.mono;
    dev.run = this.run;
    dev.period = d.period;
    dev.domid = d.domid;
    for (const tier of TIERS) if (d.buckets[tier] !== null) dev.buckets[tier] = d.buckets[tier]!;
    return dev;
  }

  private newDevice(id: number, layout: KindLayout): Device {
    const width = layout.columns.length;
    const values = f64(width).fill(NaN);
    const attrs = f64(width).fill(NaN);
    const buckets = { '1m': new Bucket(layout), '1h': new Bucket(layout) };
    return {
      id,
      layout,
      values,
      big: undefined,
      attrs,
      attrBig: undefined,
      tickId: -1,
      mono: NaN,
      run: -1,
      period: NaN,
      domid: NaN,
      nextDomid: NaN,
      buckets,
      cur: { kind: layout.kind, idx: null, name: '', values, big: undefined },
      base: true,
      dt: null,
      inc: f64(layout.sampled.length),
    };
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

  private device(domainId: number, d: DeviceSample): Device {
    let dev = this.known.get(d);
    if (dev !== undefined) return dev;
    const key = `${domainId}/${d.kind}/${d.idx}/${d.name}`;
    let id = this.deviceIds.get(key);
    if (id === undefined) {
      const found = this.db
        .prepare('SELECT id FROM device WHERE domain_id = ? AND kind = ? AND idx IS ? AND name = ?')
        .pluck()
        .get(domainId, d.kind, d.idx, d.name) as bigint | undefined;
      if (found !== undefined) id = Number(found);
      else {
        id = Number(
          this.db
            .prepare('INSERT INTO device (domain_id, kind, idx, name, path) VALUES (?, ?, ?, ?, ?) RETURNING id')
            .pluck()
            .get(domainId, d.kind, d.idx, d.name, d.path ?? null) as bigint,
        );
        this.inserted.push(id);
      }
      this.deviceIds.set(key, id);
    }
    dev = this.devices.get(id);
    if (dev !== undefined && dev.layout.kind !== d.kind) throw new InternalError(`device ${id} is a ${dev.layout.kind} in memory and a ${d.kind} in the tick`);
    if (dev === undefined) {
      dev = this.newDevice(id, this.map.layouts[d.kind]);
      this.devices.set(id, dev);
    }
    this.known.set(d, dev);
    return dev;
  }

  /**
   * This tick's increases (counters) and changes (gauges) against the device's last readings, into
   * the raw row's sampled columns and dev.inc (counters' increases, gauges' readings, stored units). A
   * column without an increase gets NULL: it came or went, a counter went down (a reset, unless a
   * 32-bit source wrapped), or it changed by 2^53 or more (no real counter grows that fast; it keeps
   * every change exact in double arithmetic). Returns false when any column did so: a base row is due.
   */
  private changes(dev: Device, cur: DeviceSample, row: (number | null)[]): boolean {
    const l = dev.layout;
    const pv = dev.values;
    const cv = cur.values;
    const exact = dev.big !== undefined || cur.big !== undefined;
    let continuous = true;
    for (let j = 0; j < l.sampled.length; j++) {
      const i = l.sampled[j]!;
      const p = pv[i]!;
      const c = cv[i]!;
      const scale = l.scale[j]!;
      const counter = l.counter[j] === 1;
      let d = c - p; // exact when both are integers below 2^53
      let ok = p === p && c === c;
      if (!ok) {
        if ((p !== p) !== (c !== c)) continuous = false;
      } else if (exact && (dev.big?.has(i) || cur.big?.has(i))) {
        const e = (cur.big?.get(i) ?? BigInt(c)) - (dev.big?.get(i) ?? BigInt(p));
        ok = e <= SAFE_N && e >= -SAFE_N && !(counter && e < 0n);
        d = Number(e);
      } else if (d < 0 && counter) {
        // A 32-bit source that passed 2^32 wraps; any other decrease is a reset. It counts in the
        // column's stored unit (blkback's sectors for disk bytes), so it wraps at 2^32 of those.
        const m = TWO_32 * scale;
        ok = !!cur.wrap32 && p < m && c + m - p < m / 2;
        d += m;
      }
      if (!ok && p === p && c === c) continuous = false;
      row[SAMPLED_AT + j] = ok ? d / scale : null;
      dev.inc[j] = counter ? (ok ? d / scale : NaN) : c / scale;
    }
    return continuous;
  }

  /** A reading that is not a whole multiple of its column's scale cannot be stored exactly: unknown instead. */
  private checkScales(dev: Device, cur: DeviceSample): void {
    const l = dev.layout;
    for (let j = 0; j < l.sampled.length; j++) {
      const scale = l.scale[j]!;
      if (scale === 1) continue;
      const i = l.sampled[j]!;
      const v = cur.values[i]!;
      const big = cur.big?.get(i);
      if (v !== v || (big === undefined ? v % scale === 0 : big % BigInt(scale) === 0n)) continue;
      cur.values[i] = NaN;
      cur.big?.delete(i);
      this.problems.push(`${l.kind} ${cur.name} ${l.columns[i]!.key}: ${big ?? v} is not a whole multiple of ${scale} ${l.columns[i]!.unit}; not stored`);
    }
  }

  /** Writes one tick in one transaction; throws (and changes nothing in memory) if it fails. */
  write(tick: TickInput): TickResult {
    const minute = minuteOf(tick.ts);
    const hour = hourOf(minute);
    const run = tick.dt === null ? this.run + 1 : this.run;
    const p: TickPlan = {
      tick,
      period: Math.floor(tick.ts / this.keyframeMs),
      minute,
      hour,
      run,
      // The interval since the last tick stored (not merely tried: after a failed tick the next one
      // covers the time since the last good one).
      tickDt: tick.dt === null || this.lastTick === null ? tick.dt : tick.mono - this.lastTick.mono,
      closing: {
        '1m': this.cover['1m'].bucket === this.cover['1m'].bucket && this.cover['1m'].bucket !== minute,
        '1h': this.cover['1h'].bucket === this.cover['1h'].bucket && this.cover['1h'].bucket !== hour,
      },
      prevTick: this.lastTick?.id ?? -1,
      attrs: [],
      values: 0,
    };
    const { period, tickDt, closing, attrs } = p;
    const touched = this.touched;
    touched.length = 0;
    this.inserted.length = 0;
    this.problems = [];
    let tickId: number;
    try {
      tickId = this.tx.immediate(p);
    } catch (e) {
      for (const k of KINDS) {
        this.raw[k].clear();
        this.base[k].clear();
      }
      this.forgetIds(); // rows inserted by the failed transaction are gone
      for (const id of this.inserted) this.devices.delete(id);
      throw e;
    }
    // Committed: now, and only now, move the in-memory state forward.
    if (closing['1m']) this.foldClosed(minute, hour, closing['1h']);
    this.run = run;
    this.lastTick = { id: tickId, ts: tick.ts, mono: tick.mono };
    for (const tier of TIERS) {
      const c = this.cover[tier];
      const b = tier === '1m' ? minute : hour;
      if (c.bucket !== b) {
        c.bucket = b;
        c.ms = 0;
      }
      if (tickDt !== null) c.ms += tickDt;
    }
    for (const [deviceId, col, , value] of attrs) this.commitAttribute(deviceId, col, value);
    for (const dev of touched) {
      const cur = dev.cur;
      if (dev.values !== cur.values) dev.values.set(cur.values); // a copy: the plan refills its arrays in place
      dev.big = cur.big === undefined ? undefined : new Map(cur.big);
      dev.tickId = tickId;
      dev.mono = tick.mono;
      dev.run = run;
      dev.domid = dev.nextDomid;
      if (dev.base) dev.period = period;
      const m = dev.buckets['1m'];
      if (m.bucket !== minute) m.reset(minute);
      m.add(dev.inc, dev.dt);
    }
    return { tickId, values: p.values, rows: touched.length, problems: this.problems };
  }

  /**
   * The rows of one tick, inside the transaction. A method the transaction is made with once, not a
   * closure per tick: optimised code for a fresh closure holds its context, which dies with the
   * tick, and V8 threw that code away at every full GC (with one before each 1000-domain Xen tick,
   * the store took 21 ms instead of 13).
   */
  private rows(p: TickPlan): number {
    const { tick, period, run, tickDt, prevTick, attrs, closing, minute, hour } = p;
    const touched = this.touched;
    let domains = 0;
    for (const d of tick.domains) if (d.key !== HOST_KEY) domains++;
    const tickId = Number(this.insertTick.get(tick.ts, tickDt, tick.mono, tick.collectUs, domains) as bigint);
    for (const dom of tick.domains) {
      const domainId = this.domainId(dom);
      for (const cur of dom.devices) {
        const dev = this.device(domainId, cur);
        this.checkScales(dev, cur);
        dev.cur = cur;
        const l = dev.layout;
        const raw = this.raw[l.kind];
        const row = raw.row;
        const dt = dev.run === run && dev.mono === dev.mono ? tick.mono - dev.mono : null;
        // A new id is a restarted domain: its counters count again from zero.
        const fresh = dev.tickId < 0 || dt === null || (dev.domid === dev.domid && dev.domid !== dom.domid);
        dev.nextDomid = dom.domid;
        const continuous = !fresh && this.changes(dev, cur, row);
        if (fresh) {
          for (let j = 0; j < l.sampled.length; j++) {
            row[SAMPLED_AT + j] = null;
            dev.inc[j] = l.counter[j] ? NaN : cur.values[l.sampled[j]!]! / l.scale[j]!;
          }
        }
        dev.base = !continuous || dev.period !== period;
        dev.dt = fresh ? null : dt;
        row[0] = tickId;
        row[1] = dev.id;
        row[2] = dev.tickId === prevTick || fresh ? null : dt;
        for (let j = 0; j < l.sampled.length; j++) if (row[SAMPLED_AT + j] !== null) p.values++;
        raw.add();
        if (dev.base) p.values += this.baseRow(tickId, dev, cur);
        this.attributeChanges(dev, cur, tick.ts, attrs);
        touched.push(dev);
      }
    }
    for (const k of KINDS) {
      this.raw[k].flush();
      this.base[k].flush();
    }
    for (const a of attrs) this.insertAttr.run(...a);
    p.values += attrs.length;
    if (closing['1m']) this.writeClosed('1m', minute);
    if (closing['1h']) this.writeClosed('1h', hour);
    return tickId;
  }

  /** The device's readings in full; returns the values stored. */
  private baseRow(tickId: number, dev: Device, cur: DeviceSample): number {
    const l = dev.layout;
    const b = this.base[l.kind];
    const at = b.next();
    const row = b.array;
    row[at] = tickId;
    row[at + 1] = dev.id;
    let n = 0;
    for (let j = 0; j < l.sampled.length; j++) {
      const i = l.sampled[j]!;
      const v = cur.values[i]!;
      const big = cur.big?.get(i);
      const scale = l.scale[j]!;
      if (v !== v) row[at + 2 + j] = null;
      else {
        // A bigint: the columns have no type, and a number would be stored as a REAL.
        row[at + 2 + j] = toSqlExact(big !== undefined ? big / BigInt(scale) : BigInt(v / scale));
        n++;
      }
    }
    return n;
  }

  private attributeChanges(dev: Device, cur: DeviceSample, ts: number, out: AttrRow[]): void {
    const l = dev.layout;
    for (const i of l.attributes) {
      const v = cur.values[i]!;
      const p = dev.attrs[i]!;
      const big = cur.big?.get(i);
      const pbig = dev.attrBig?.get(i);
      // Exact values compared, whichever side holds one as a bigint (a sample may carry 2^54 as a plain double).
      const same = v !== v ? p !== p : big === undefined && pbig === undefined ? v === p : p === p && (big ?? BigInt(v)) === (pbig ?? BigInt(p));
      if (same && dev.tickId >= 0) continue;
      if (v !== v && p !== p) continue; // never known
      out.push([dev.id, l.columns[i]!.col, ts, v !== v ? null : toSqlExact(big ?? BigInt(v))]);
    }
  }

  private commitAttribute(deviceId: number, col: string, value: bigint | string | null): void {
    const dev = this.devices.get(deviceId)!;
    const i = dev.layout.columns.findIndex((c) => c.col === col);
    if (value === null) {
      dev.attrs[i] = NaN;
      dev.attrBig?.delete(i);
      return;
    }
    const b = BigInt(value);
    dev.attrs[i] = Number(b);
    if (b > SAFE_N || b < -SAFE_N) (dev.attrBig ??= new Map()).set(i, b);
    else dev.attrBig?.delete(i);
  }

  /**
   * In the tick's transaction: writes the bucket of `tier` that closes (the one before `now`), and
   * its cover. An hour closes with the minute that closes with it, not yet folded in. Memory is
   * left alone, so a failed transaction changes nothing (foldClosed() moves it on).
   */
  private writeClosed(tier: Tier, now: number): void {
    const cover = this.cover[tier];
    if (cover.bucket !== cover.bucket || cover.bucket === now) return;
    this.upsertCover[tier].run(cover.bucket, cover.ms);
    for (const dev of this.devices.values()) {
      const b = tier === '1m' ? dev.buckets['1m'] : this.closingHour(dev, cover.bucket);
      if (b.rows > 0 && b.bucket === cover.bucket) this.slots[tier][dev.layout.kind].write(tier, b.bucket, dev.id, b.slot(cover.ms));
    }
  }

  /** A device's hour as it closes: its folded minutes and the open minute, when that is in the hour. */
  private closingHour(dev: Device, hour: number): Bucket {
    const h = dev.buckets['1h'];
    const m = dev.buckets['1m'];
    if (m.rows === 0 || hourOf(m.bucket) !== hour) return h;
    const out = new Bucket(dev.layout);
    out.reset(hour);
    if (h.bucket === hour) out.merge(h);
    out.merge(m);
    return out;
  }

  /** After the commit: closed minutes folded into their hours, closed hours emptied. */
  private foldClosed(minute: number, hour: number, hourClosed: boolean): void {
    for (const dev of this.devices.values()) {
      const m = dev.buckets['1m'];
      const h = dev.buckets['1h'];
      if (m.rows > 0 && m.bucket !== minute) {
        const mh = hourOf(m.bucket);
        if (h.bucket !== mh) h.reset(mh);
        h.merge(m);
        m.reset(NaN);
      }
      if (hourClosed && h.bucket !== hour) h.reset(NaN);
    }
  }

  /** Writes the open buckets as they stand (a clean shutdown): a later start rebuilds and replaces them. */
  flushOpen(): void {
    const m = this.cover['1m'];
    const h = this.cover['1h'];
    if (m.bucket !== m.bucket) return;
    this.db
      .transaction(() => {
        this.upsertCover['1m'].run(m.bucket, m.ms);
        this.upsertCover['1h'].run(h.bucket, h.ms);
        for (const dev of this.devices.values()) {
          const mb = dev.buckets['1m'];
          if (mb.rows > 0 && mb.bucket === m.bucket) this.slots['1m'][dev.layout.kind].write('1m', mb.bucket, dev.id, mb.slot(m.ms));
          const hb = this.closingHour(dev, h.bucket);
          if (hb.rows > 0 && hb.bucket === h.bucket) this.slots['1h'][dev.layout.kind].write('1h', h.bucket, dev.id, hb.slot(h.ms));
        }
      })
      .immediate();
  }

  /** Forget ids cached for rows that a failed transaction may have rolled back. */
  forgetIds(): void {
    this.domainIds.clear();
    this.deviceIds.clear();
    this.known = new WeakMap();
  }
}

export { TIER_SECONDS };
