// One device's bucket (a minute, or an hour of folded minutes), built in memory from the writer's
// committed rows and written as one slot of a rollup block. Values are in stored units (the
// column's unit divided by its scale). Counters: the exact increase and the highest per-second
// rate; gauges: the sum and count of the readings (for the mean) and the extreme the column keeps.

import type { KindLayout } from './layout.js';
import { f64 } from '../sample/f64-slab.js';

export class Bucket {
  bucket = NaN;
  /** Rows seen in the bucket, and the ms covered by the rows that carried increases. */
  rows = 0;
  ms = 0;
  /** Per sampled column three doubles: counters [sum, peak rate, -], gauges [sum, extreme, count]; NaN = none. */
  readonly a: Float64Array;

  constructor(readonly layout: KindLayout) {
    this.a = f64(layout.sampled.length * 3);
    this.reset(NaN);
  }

  reset(bucket: number): void {
    this.bucket = bucket;
    this.rows = 0;
    this.ms = 0;
    const a = this.a;
    for (let j = 0; j < a.length; j += 3) {
      a[j] = NaN;
      a[j + 1] = NaN;
      a[j + 2] = 0;
    }
  }

  /**
   * One raw row: `inc` holds, per sampled column, a counter's increase or a gauge's reading (NaN:
   * unknown), in stored units; `dt` the ms its increases cover (null: none, e.g. a first reading).
   */
  add(inc: Float64Array, dt: number | null): void {
    this.rows++;
    const l = this.layout;
    const a = this.a;
    let increases = false;
    for (let j = 0, o = 0; j < l.counter.length; j++, o += 3) {
      const v = inc[j]!;
      if (v !== v) continue;
      if (l.counter[j]) {
        if (dt === null || dt <= 0) continue;
        increases = true;
        a[o] = a[o] !== a[o] ? v : a[o]! + v;
        const rate = (v * 1000) / dt;
        if (!(rate <= a[o + 1]!)) a[o + 1] = rate;
      } else {
        a[o] = a[o] !== a[o] ? v : a[o]! + v;
        a[o + 2]!++;
        if (l.extreme[j] ? !(v >= a[o + 1]!) : !(v <= a[o + 1]!)) a[o + 1] = v;
      }
    }
    if (increases) this.ms += dt!;
  }

  /** Folds a bucket of the tier below (a minute into its hour). */
  merge(m: Bucket): void {
    this.rows += m.rows;
    this.ms += m.ms;
    const l = this.layout;
    const a = this.a;
    const b = m.a;
    for (let j = 0, o = 0; j < l.counter.length; j++, o += 3) {
      if (b[o] === b[o]) a[o] = a[o] !== a[o] ? b[o]! : a[o]! + b[o]!;
      const keepLow = !l.counter[j] && l.extreme[j];
      if (b[o + 1] === b[o + 1] && (keepLow ? !(b[o + 1]! >= a[o + 1]!) : !(b[o + 1]! <= a[o + 1]!))) a[o + 1] = b[o + 1]!;
      a[o + 2] = a[o + 2]! + b[o + 2]!;
    }
  }

  /** The slot's values in the order of layout.slotColumns: gap, then each column's aggregates. */
  slot(cover: number): (number | null)[] {
    const l = this.layout;
    const a = this.a;
    const out: (number | null)[] = [cover - this.ms];
    const num = (x: number) => (x === x ? x : null);
    for (let j = 0, o = 0; j < l.counter.length; j++, o += 3) {
      if (l.counter[j]) {
        out.push(num(a[o]!));
        if (l.extreme[j]) out.push(a[o + 1] === a[o + 1] ? Math.round(a[o + 1]!) : null);
      } else {
        out.push(a[o + 2]! > 0 ? Math.round(a[o]! / a[o + 2]!) : null, num(a[o + 1]!));
      }
    }
    return out;
  }

  /**
   * A bucket read back from a stored slot (recovering an open hour from its minutes after a
   * restart): a gauge's stored mean counts as one reading of that value.
   */
  static fromSlot(layout: KindLayout, bucket: number, cover: number, values: readonly (bigint | number | null)[]): Bucket {
    const b = new Bucket(layout);
    b.reset(bucket);
    const n = (v: bigint | number | null | undefined) => (v === null || v === undefined ? NaN : Number(v));
    b.rows = 1;
    b.ms = cover - n(values[0]);
    let k = 1;
    for (let j = 0, o = 0; j < layout.counter.length; j++, o += 3) {
      if (layout.counter[j]) {
        b.a[o] = n(values[k++]);
        if (layout.extreme[j]) b.a[o + 1] = n(values[k++]);
      } else {
        b.a[o] = n(values[k++]);
        b.a[o + 1] = n(values[k++]);
        b.a[o + 2] = b.a[o] === b.a[o] ? 1 : 0;
      }
    }
    return b;
  }
}
