// Byte-level readers for the agent's hot path: numbers straight from the bytes of a kernel file,
// no strings, no BigInt. They accept only the plainly well-formed: unsigned decimals. Anything
// else answers -1 and the caller takes the careful path (each file's careful parser), which reads
// exact u64 values and says what is wrong. A well-formed value past 2^53 (not an exact double)
// reads as NaN in a list of fields: fine where that field is not used, the careful path where it is.

export const SPACE = 32;
export const TAB = 9;
export const NL = 10;
const ZERO = 48;
const NINE = 57;
export const COLON = 58;

/** A plain decimal too large to be an exact double. */
export const TOO_BIG = -2;

/** The decimal in buf[start, end); -1 when empty or not all digits, TOO_BIG past 2^53 - 1. */
export function decimalAt(buf: Uint8Array, start: number, end: number): number {
  if (end <= start) return -1;
  let v = 0;
  for (let i = start; i < end; i++) {
    const c = buf[i]!;
    if (c < ZERO || c > NINE) return -1;
    v = v * 10 + (c - ZERO);
  }
  // Every partial value below 2^53 is exact, and a result of 2^53 or more cannot round down to below it.
  return v > Number.MAX_SAFE_INTEGER ? TOO_BIG : v;
}

/** decimalAt() for a field of a list: NaN for TOO_BIG. */
function fieldAt(buf: Uint8Array, start: number, end: number): number {
  const v = decimalAt(buf, start, end);
  return v === TOO_BIG ? NaN : v;
}

/** buf[start, end) ends with its newline: not cut short (requireWhole, the careful parsers' rule). */
export function whole(buf: Uint8Array, start: number, end: number): boolean {
  return end > start && buf[end - 1] === NL;
}

/** buf[start, end) holds one decimal and its newline (a sysfs attribute): -1 or TOO_BIG as decimalAt(). */
export function singleDecimal(buf: Uint8Array, start: number, end: number): number {
  return whole(buf, start, end) ? decimalAt(buf, start, end - 1) : -1;
}

const blank = (c: number) => c === SPACE || c === TAB || c === NL;

/**
 * Whitespace-separated decimals of buf[start, end) into out[0..]: how many were read, or -1 when
 * a token is not a plain decimal or there are more than out.length.
 */
export function decimalFields(buf: Uint8Array, start: number, end: number, out: Float64Array): number {
  let n = 0;
  let i = start;
  for (;;) {
    while (i < end && blank(buf[i]!)) i++;
    if (i >= end) return n;
    let j = i;
    while (j < end && !blank(buf[j]!)) j++;
    if (n === out.length) return -1;
    const v = fieldAt(buf, i, j);
    if (v < 0) return -1;
    out[n++] = v;
    i = j;
  }
}

/**
 * Picked whitespace-separated tokens of buf[start, end) (token numbers ascending, from 0) into
 * out[0..]: false when one is missing or not a plain decimal, or a byte is not ASCII (JavaScript's
 * notion of whitespace, which the careful parsers use, would count tokens differently).
 */
export function pickedDecimals(buf: Uint8Array, start: number, end: number, picks: Int32Array, out: Float64Array): boolean {
  let token = 0;
  let p = 0;
  let i = start;
  while (p < picks.length) {
    while (i < end && (buf[i] === SPACE || (buf[i]! >= TAB && buf[i]! <= 13))) i++;
    if (i >= end) return false;
    let j = i;
    while (j < end && buf[j] !== SPACE && !(buf[j]! >= TAB && buf[j]! <= 13)) {
      if (buf[j]! > 127) return false;
      j++;
    }
    if (token === picks[p]) {
      const v = fieldAt(buf, i, j);
      if (v < 0) return false;
      out[p++] = v;
    }
    token++;
    i = j;
  }
  return true;
}

/**
 * "key value" lines of buf[start, end) (a cgroup's cpu.stat), or "key: value" lines with `colon`
 * (/proc/<pid>/io): the value of each wanted key into out[its position]. Returns false for a file
 * cut short (no final newline), when a
 * wanted key's value is not a plain decimal or a wanted key is listed twice, and for any byte the
 * careful parser (split at JavaScript's whitespace) could read differently: a blank other than
 * space and newline, a byte past ASCII, or a colon where the format has none. Keys not found (and
 * values past 2^53) are NaN.
 */
export function keyedDecimals(buf: Uint8Array, start: number, end: number, keys: readonly Uint8Array[], out: Float64Array, colon = false): boolean {
  if (!whole(buf, start, end) || !plainAscii(buf, start, end, colon)) return false;
  out.fill(NaN);
  let seen = 0;
  let i = start;
  while (i < end) {
    const eol = lineEnd(buf, i, end);
    // A line that starts with a blank: the careful parser trims it and may read a wanted key there.
    if (buf[i] === SPACE) return false;
    let k = i;
    while (k < eol && buf[k] !== SPACE && buf[k] !== COLON) k++;
    const which = keyIndex(buf, i, k, keys);
    if (which >= 0) {
      let v = k;
      if (buf[v] === COLON) v++;
      while (v < eol && buf[v] === SPACE) v++;
      const x = fieldAt(buf, v, eol);
      if (x < 0 || seen & (1 << which)) return false;
      seen |= 1 << which;
      out[which] = x;
    }
    i = eol + 1;
  }
  return true;
}

/**
 * buf[start, end) holds only what the byte readers and the careful parsers split alike: ASCII,
 * with space and newline the only blanks (and colons only where `colon`).
 */
export function plainAscii(buf: Uint8Array, start: number, end: number, colon = true): boolean {
  for (let j = start; j < end; j++) {
    const c = buf[j]!;
    if ((c >= TAB && c <= 13 && c !== NL) || c > 127 || (c === COLON && !colon)) return false;
  }
  return true;
}

/** The end of the line that starts at i: its newline, or end. */
export function lineEnd(buf: Uint8Array, i: number, end: number): number {
  const eol = buf.indexOf(NL, i);
  return eol < 0 || eol > end ? end : eol;
}

/** The first byte at or after i, before eol, that is not a space. */
export function skipSpaces(buf: Uint8Array, i: number, eol: number): number {
  while (i < eol && buf[i] === SPACE) i++;
  return i;
}

/** The end of the token that starts at i: the next space, or eol. */
export function tokenEnd(buf: Uint8Array, i: number, eol: number): number {
  while (i < eol && buf[i] !== SPACE) i++;
  return i;
}

/** Which of `keys` buf[start, end) is, or -1. */
export function keyIndex(buf: Uint8Array, start: number, end: number, keys: readonly Uint8Array[]): number {
  const n = end - start;
  outer: for (let w = 0; w < keys.length; w++) {
    const key = keys[w]!;
    if (key.length !== n) continue;
    for (let i = 0; i < n; i++) if (buf[start + i] !== key[i]) continue outer;
    return w;
  }
  return -1;
}

/** Keys for keyedDecimals(), encoded once. */
export function asciiKeys(keys: readonly string[]): Uint8Array[] {
  return keys.map((k) => Buffer.from(k, 'latin1'));
}

/**
 * The wanted keys of a "key value" file into out[0..keys.length), NaN for those the file lacks;
 * false when the careful parser must read it: keyedDecimals() refused it, a key's value is past
 * 2^53 (NaN too, but its line is there), or `requireOne` and none of the keys is there.
 */
export function presentKeys(buf: Uint8Array, start: number, end: number, keys: readonly Uint8Array[], out: Float64Array, requireOne: boolean): boolean {
  const o = out.subarray(0, keys.length);
  if (!keyedDecimals(buf, start, end, keys, o)) return false;
  let found = 0;
  for (let i = 0; i < o.length; i++) {
    if (o[i] === o[i]) found++;
    else if (hasKeyLine(buf, start, end, keys[i]!)) return false;
  }
  return found > 0 || !requireOne;
}

/** Whether a line of buf[start, end) begins with `key` and a space (a keyed line whose value keyedDecimals read as NaN). */
export function hasKeyLine(buf: Uint8Array, start: number, end: number, key: Uint8Array): boolean {
  let i = start;
  while (i < end) {
    const eol = lineEnd(buf, i, end);
    if (eol - i > key.length && buf[i + key.length] === SPACE && keyIndex(buf, i, i + key.length, [key]) === 0) return true;
    i = eol + 1;
  }
  return false;
}
