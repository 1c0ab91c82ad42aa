// Exact unsigned 64-bit decimal parsing. Kernel counters are u64; JavaScript numbers are exact
// only to 2^53, and BigInt() accepts "", " 12\n" and "0x10", so digits are checked first.

import { DomstatError } from '../common/errors.js';

export const U64_MAX = (1n << 64n) - 1n;
const DIGITS = /^[0-9]+$/;

export class ParseError extends DomstatError {
  readonly code = 'PARSE' as const;
  constructor(
    message: string,
    readonly source: string,
  ) {
    super(`${source}: ${message}`);
    this.name = 'ParseError';
  }
}

/** Parses a base-10 u64 token; throws ParseError for anything else (empty, sign, hex, > 2^64-1). */
export function parseU64(token: string, source: string): bigint {
  if (!DIGITS.test(token) || token.length > 24) {
    throw new ParseError(`not an unsigned decimal integer: ${JSON.stringify(token.slice(0, 40))}`, source);
  }
  const v = BigInt(token);
  if (v > U64_MAX) throw new ParseError(`value exceeds 2^64-1: ${token}`, source);
  return v;
}

/**
 * The kernel ends every file domstat reads with a newline: one without it was cut short (a read
 * that stopped early, a file rewritten under the reader, a truncated capture), and its last number
 * may be cut too, so the file is refused rather than read as a smaller number.
 */
export function requireWhole(text: string, source: string): void {
  if (text === '') throw new ParseError('empty', source);
  if (!text.endsWith('\n')) throw new ParseError('truncated (no final newline)', source);
}

/** A whole file that holds one u64 and its newline (sysfs attributes, cpuacct.usage, memory.current). */
export function parseSingleU64(text: string, source: string): bigint {
  requireWhole(text, source);
  return parseU64(text.slice(0, -1), source);
}

/** Parses a non-negative decimal with an optional fraction ("1234.567890") into integer units of 10^-scale. */
export function parseFixedDecimal(token: string, scale: number, source: string): bigint {
  const m = /^([0-9]+)(?:\.([0-9]+))?$/.exec(token);
  if (!m) throw new ParseError(`not a decimal number: ${JSON.stringify(token.slice(0, 40))}`, source);
  const frac = (m[2] ?? '').padEnd(scale, '0').slice(0, scale);
  return BigInt(m[1] ?? '0') * 10n ** BigInt(scale) + BigInt(frac || '0');
}
