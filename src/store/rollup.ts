// Rollup accumulators: per device and minute, built in memory from each committed tick (the
// writer has the readings in hand) and written when the minute closes; a closed minute is folded
// into its hour, written when the hour closes. Writing merges
// with a row already there, so a partial bucket written at shutdown is completed after a restart.

import type { Column, Kind } from './key-map.js';
import { f64 } from './f64-slab.js';

export type Tier = '1m' | '1h';
export const TIER_SECONDS: Record<Tier, number> = { '1m': 60, '1h': 3600 };

interface Layout {
  /** 1 for each counter column. */
  counter: Uint8Array;
  /** Per gauge column, its count's place after the four doubles per column; -1 for counters. */
  countAt: Int16Array;
  gauges: number;
}
/** Worked out once per column list (checked for every value of every tick). */
const layouts = new WeakMap<readonly Column[], Layout>();
function layoutOf(columns: readonly Column[]): Layout {
  let l = layouts.get(columns);
  if (l === undefined) {
    let gauges = 0;
    const countAt = Int16Array.from(columns, (c) => (c.type === 'gauge' ? gauges++ : -1));
    layouts.set(columns, (l = { counter: Uint8Array.from(columns, (c) => (c.type === 'counter' ? 1 : 0)), countAt, gauges }));
  }
  return l;
}

/** 1 for each counter column (shared per column list). */
export function counterFlags(columns: readonly Column[]): Uint8Array {
  return layoutOf(columns).counter;
}

/**
 * One device's bucket. Per column four doubles: a counter's [sum of increases, lowest rate,
 * highest rate, last reading], a gauge's [min, max, total, last]; NaN = none yet. Sums and gauge
 * extremes are doubles: exact below 2^53, which at the hour tier is a counter growing by 2.5 TB
 * every second; the last reading stays exact beyond that (lastBig).
 */
export class Accumulator {
  n = 0;
  secs = 0;
  /** Four doubles per column, then per gauge column the readings seen (for the mean). */
  readonly a: Float64Array;
  /** Where the counts start in `a`, and each column's count (see Layout). */
  private readonly counts: number;
  private readonly countAt: Int16Array;
  /** Exact last readings of 2^53 or more, by column. */
  lastBig: Map<number, bigint> | undefined;
  private readonly counter: Uint8Array;

  constructor(
    readonly kind: Kind,
    readonly deviceId: number,
    public bucket: number,
    private readonly columns: readonly Column[],
  ) {
    const layout = layoutOf(columns);
    this.counts = columns.length * 4;
    this.countAt = layout.countAt;
    this.counter = layout.counter;
    this.a = f64(this.counts + layout.gauges);
    this.reset(bucket);
  }

  /** Empty again, for another bucket (the writer reuses each device's minute). */
  reset(bucket: number): void {
    this.bucket = bucket;
    this.n = 0;
    this.secs = 0;
    this.a.fill(NaN, 0, this.counts).fill(0, this.counts);
    this.lastBig = undefined;
  }

  /** One sample: the readings and, when not a base row, their exact increases over dtMs. */
  add(values: Float64Array, big: ReadonlyMap<number, bigint> | undefined, deltas: Float64Array | null, dtMs: number | null): void {
    this.n++;
    const rated = deltas !== null && dtMs !== null && dtMs > 0;
    if (rated) this.secs += dtMs / 1000;
    const a = this.a;
    for (let i = 0, o = 0; i < this.counter.length; i++, o += 4) {
      const v = values[i]!;
      if (this.counter[i]) {
        if (v === v) this.setLast(i, v, big);
        if (!rated) continue;
        const d = deltas[i]!;
        if (d !== d) continue;
        const rate = (d * 1000) / dtMs;
        if (a[o] !== a[o]) {
          a[o] = d;
          a[o + 1] = rate;
          a[o + 2] = rate;
        } else {
          a[o] = a[o]! + d;
          if (rate < a[o + 1]!) a[o + 1] = rate;
          if (rate > a[o + 2]!) a[o + 2] = rate;
        }
      } else if (v === v) {
        if (!(v >= a[o]!)) a[o] = v;
        if (!(v <= a[o + 1]!)) a[o + 1] = v;
        const c = this.counts + this.countAt[i]!;
        a[o + 2] = a[c]! > 0 ? a[o + 2]! + v : v;
        a[c]!++;
        this.setLast(i, v, big);
      }
    }
  }

  private setLast(i: number, v: number, big: ReadonlyMap<number, bigint> | undefined): void {
    this.a[i * 4 + 3] = v;
    if (big === undefined && this.lastBig === undefined) return;
    const b = big?.get(i);
    if (b !== undefined) (this.lastBig ??= new Map()).set(i, b);
    else this.lastBig?.delete(i);
  }

  /** Folds a later, shorter bucket (a closed minute) into this one (its hour). */
  merge(o: Accumulator): void {
    this.n += o.n;
    this.secs += o.secs;
    const a = this.a;
    const b = o.a;
    const lower = (k: number) => {
      if (b[k] === b[k] && !(b[k]! >= a[k]!)) a[k] = b[k]!;
    };
    const higher = (k: number) => {
      if (b[k] === b[k] && !(b[k]! <= a[k]!)) a[k] = b[k]!;
    };
    const add = (k: number) => {
      if (b[k] === b[k]) a[k] = a[k] === a[k] ? a[k]! + b[k]! : b[k]!;
    };
    for (let i = 0, k = 0; i < this.counter.length; i++, k += 4) {
      if (this.counter[i]) {
        add(k);
        lower(k + 1);
        higher(k + 2);
      } else {
        lower(k);
        higher(k + 1);
        add(k + 2);
        const c = this.counts + this.countAt[i]!;
        a[c]! += b[c]!;
      }
      if (b[k + 3] === b[k + 3]) this.setLast(i, b[k + 3]!, o.lastBig);
    }
  }

  /** A copy, to fold into without touching committed state. */
  clone(): Accumulator {
    const c = new Accumulator(this.kind, this.deviceId, this.bucket, this.columns);
    c.n = this.n;
    c.secs = this.secs;
    c.a.set(this.a);
    if (this.lastBig !== undefined) c.lastBig = new Map(this.lastBig);
    return c;
  }

  /** An empty accumulator of the same device for another bucket (its hour). */
  empty(bucket: number): Accumulator {
    return new Accumulator(this.kind, this.deviceId, bucket, this.columns);
  }

  /** Bind values in the order of rollupColumns(). */
  row(): (number | bigint | null)[] {
    const out: (number | bigint | null)[] = [this.bucket, this.deviceId, this.n, this.secs];
    const a = this.a;
    const num = (x: number) => (x === x ? x : null);
    for (let i = 0, o = 0; i < this.counter.length; i++, o += 4) {
      const last = this.lastBig?.get(i);
      const lastValue = last === undefined ? num(a[o + 3]!) : encode(last);
      if (this.counter[i]) out.push(num(a[o]!), num(a[o + 1]!), num(a[o + 2]!), lastValue);
      else {
        const count = a[this.counts + this.countAt[i]!]!;
        out.push(num(a[o]!), num(a[o + 1]!), count > 0 ? a[o + 2]! / count : null, lastValue);
      }
    }
    return out;
  }
}

const TWO_64 = 1n << 64n;
const TWO_63 = 1n << 63n;

/** A u64 reading as SQLite's signed 64-bit integer: values >= 2^63 wrap to negative (exact). */
export function encode(v: bigint | undefined): number | bigint | null {
  if (v === undefined) return null;
  const s = v >= TWO_63 ? v - TWO_64 : v;
  return s >= -9007199254740991n && s <= 9007199254740991n ? Number(s) : s;
}

/** Reverse of encode() for counter readings. */
export function decodeCounter(v: bigint): bigint {
  return v < 0n ? v + TWO_64 : v;
}

export function rollupColumns(columns: readonly Column[]): string[] {
  const out = ['bucket', 'device_id', 'n', 'secs'];
  for (const c of columns) {
    if (c.type === 'counter') out.push(`${c.col}_sum`, `${c.col}_min`, `${c.col}_max`, `${c.col}_last`);
    else out.push(`${c.col}_min`, `${c.col}_max`, `${c.col}_mean`, `${c.col}_last`);
  }
  return out;
}

/** INSERT that merges into an existing row of the same bucket (a bucket split by a restart). */
export function rollupUpsertSql(kind: Kind, tier: Tier, columns: readonly Column[]): string {
  const cols = rollupColumns(columns);
  const sets = ['n = n + excluded.n', 'secs = secs + excluded.secs'];
  for (const c of columns) {
    const x = c.col;
    if (c.type === 'counter') {
      sets.push(`${x}_sum = COALESCE(${x}_sum + excluded.${x}_sum, ${x}_sum, excluded.${x}_sum)`);
      sets.push(`${x}_min = COALESCE(min(${x}_min, excluded.${x}_min), ${x}_min, excluded.${x}_min)`);
      sets.push(`${x}_max = COALESCE(max(${x}_max, excluded.${x}_max), ${x}_max, excluded.${x}_max)`);
    } else {
      sets.push(`${x}_min = COALESCE(min(${x}_min, excluded.${x}_min), ${x}_min, excluded.${x}_min)`);
      sets.push(`${x}_max = COALESCE(max(${x}_max, excluded.${x}_max), ${x}_max, excluded.${x}_max)`);
      sets.push(`${x}_mean = COALESCE((${x}_mean * n + excluded.${x}_mean * excluded.n) / (n + excluded.n), ${x}_mean, excluded.${x}_mean)`);
    }
    sets.push(`${x}_last = COALESCE(excluded.${x}_last, ${x}_last)`);
  }
  return `INSERT INTO ${kind}_${tier} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')}) ON CONFLICT (device_id, bucket) DO UPDATE SET ${sets.join(', ')}`;
}
