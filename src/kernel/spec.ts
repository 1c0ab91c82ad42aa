// What a kernel file spec says, shared by every file of src/kernel: where the file is, how much of
// it is read, and which stats keys its fields give (the sum of one or more fields times a unit
// factor). Each file's module states these once; the careful parser and the fast reader beside it
// read by them, and the drivers (exact values, libvirt's errors) and their plans (doubles straight
// into rows) turn fields into keys through the same KeyFrom lists.

import { ParseError, U64_MAX } from './u64.js';

export interface FileSpec {
  /** The path, with <placeholders> for what varies ("/proc/<pid>/stat"). */
  path: string;
  /** The most bytes read; a file that fills them is "too large" (the careful parser's error). */
  limit: number;
}

/** A stats key ("{i}" for the device index) from fields of a file: their sum times `factor`. */
export interface KeyFrom<F extends string = string> {
  key: string;
  from: readonly F[];
  factor: number;
}

/** Keys from named fields: each field's key and factor, in the order given. */
export function keysFrom<F extends string>(entries: readonly (readonly [key: string, field: F, factor?: number])[]): KeyFrom<F>[] {
  return entries.map(([key, field, factor]) => ({ key, from: [field], factor: factor ?? 1 }));
}

/** The sum of a key's fields times its factor, however large; undefined when a field is missing. */
export function productOf<F extends string>(k: KeyFrom<F>, fields: Partial<Record<F, bigint>>): bigint | undefined {
  let sum = 0n;
  for (const f of k.from) {
    const v = fields[f];
    if (v === undefined) return undefined;
    sum += v;
  }
  return sum * BigInt(k.factor);
}

/**
 * The exact value of a key from exact field values; undefined when a field is missing. Throws
 * ParseError when it is past 2^64-1 (a u64 count of pages or microseconds can be): a key is a
 * u64, as libvirt's, and a value it cannot hold is refused, never shown.
 */
export function exactKey<F extends string>(k: KeyFrom<F>, fields: Partial<Record<F, bigint>>): bigint | undefined {
  const v = productOf(k, fields);
  if (v !== undefined && v > U64_MAX) throw new ParseError(`${k.factor === 1 ? v : `${v / BigInt(k.factor)} × ${k.factor}`} is past 2^64-1`, k.key);
  return v;
}

/** A key pattern for device `index` ("net.{i}.rx.bytes", 2 -> "net.2.rx.bytes"). */
export function keyAt(pattern: string, index: number): string {
  return pattern.replace('{i}', String(index));
}

/** Each key's exact value from the fields, in the keys' order (undefined: a field is missing). */
export function valuesOf<F extends string>(keys: readonly KeyFrom<F>[], fields: Partial<Record<F, bigint>>): Map<string, bigint | undefined> {
  return new Map(keys.map((k) => [k.key, exactKey(k, fields)]));
}
