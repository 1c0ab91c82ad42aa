// Rollup accumulators: per device, per minute and per hour, built in memory from each committed
// tick (the writer has the readings in hand) and written when the bucket closes. Writing merges
// with a row already there, so a partial bucket written at shutdown is completed after a restart.

import type { Column, Kind } from './key-map.js';

export type Tier = '1m' | '1h';
export const TIER_SECONDS: Record<Tier, number> = { '1m': 60, '1h': 3600 };

interface CounterAcc {
  sum: bigint | undefined;
  min: number | undefined;
  max: number | undefined;
  last: bigint | undefined;
}
interface GaugeAcc {
  min: bigint | undefined;
  max: bigint | undefined;
  total: number;
  count: number;
  last: bigint | undefined;
}

export class Accumulator {
  n = 0;
  secs = 0;
  readonly cols: (CounterAcc | GaugeAcc)[];

  constructor(
    readonly kind: Kind,
    readonly deviceId: number,
    readonly bucket: number,
    private readonly columns: readonly Column[],
  ) {
    this.cols = columns.map((c) =>
      c.type === 'counter' ? { sum: undefined, min: undefined, max: undefined, last: undefined } : { min: undefined, max: undefined, total: 0, count: 0, last: undefined },
    );
  }

  /** One sample: readings, and (when not a base row) the exact increases over dtMs. */
  add(values: readonly (bigint | undefined)[], deltas: readonly (bigint | undefined)[] | null, dtMs: number | null): void {
    this.n++;
    if (deltas !== null && dtMs !== null && dtMs > 0) this.secs += dtMs / 1000;
    this.columns.forEach((c, i) => {
      const v = values[i];
      if (c.type === 'counter') {
        const a = this.cols[i] as CounterAcc;
        if (v !== undefined) a.last = v;
        const d = deltas?.[i];
        if (d !== undefined && dtMs !== null && dtMs > 0) {
          a.sum = (a.sum ?? 0n) + d;
          const rate = (Number(d) * 1000) / dtMs;
          a.min = a.min === undefined ? rate : Math.min(a.min, rate);
          a.max = a.max === undefined ? rate : Math.max(a.max, rate);
        }
      } else if (v !== undefined) {
        const a = this.cols[i] as GaugeAcc;
        a.min = a.min === undefined || v < a.min ? v : a.min;
        a.max = a.max === undefined || v > a.max ? v : a.max;
        a.total += Number(v);
        a.count++;
        a.last = v;
      }
    });
  }

  /** Bind values in the order of rollupColumns(). */
  row(): (number | bigint | null)[] {
    const out: (number | bigint | null)[] = [this.bucket, this.deviceId, this.n, this.secs];
    this.columns.forEach((c, i) => {
      if (c.type === 'counter') {
        const a = this.cols[i] as CounterAcc;
        out.push(encode(a.sum), a.min ?? null, a.max ?? null, encode(a.last));
      } else {
        const a = this.cols[i] as GaugeAcc;
        out.push(encode(a.min), encode(a.max), a.count > 0 ? a.total / a.count : null, encode(a.last));
      }
    });
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
