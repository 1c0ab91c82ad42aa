// Exact integers to and from SQLite. SQLite's integers are signed 64-bit; kernel counters are u64
// and libvirt's memory sizes can be larger still. A value that fits is stored as an INTEGER (a JS
// number when it is one exactly, else a bigint); anything else as its decimal TEXT, which reads
// back exactly here and as a (rounded) number in plain SQL.

import { HistoryError } from './errors.js';

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;
const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

export function toSql(v: bigint): number | bigint | string {
  if (v >= -SAFE && v <= SAFE) return Number(v);
  return v >= INT64_MIN && v <= INT64_MAX ? v : v.toString();
}

/**
 * toSql() for a column without a type (no affinity): there a JS number is stored as a REAL, so an
 * integer goes in as a bigint, and a value past SQLite's integers as its decimal text.
 */
export function toSqlExact(v: bigint): bigint | string {
  return v >= INT64_MIN && v <= INT64_MAX ? v : v.toString();
}

/** A stored value back as an exact bigint; null for NULL; throws for anything not an integer. */
export function fromSql(v: unknown): bigint | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isSafeInteger(v)) return BigInt(v);
  if (typeof v === 'string' && /^-?[0-9]{1,40}$/.test(v)) return BigInt(v);
  throw new HistoryError(`not an exact integer in the database: ${JSON.stringify(String(v).slice(0, 40))}`);
}

/** A stored value as a double (rounded when past 2^53): for plots and rates. */
export function toNumber(v: unknown): number | null {
  const b = fromSql(v);
  return b === null ? null : Number(b);
}
