// /proc/<pid>/task/<tid>/sched (CONFIG_SCHED_DEBUG): "key : value" lines, values in ms with a
// fraction. libvirt reads se.statistics.wait_sum (older kernels: se.wait_sum) for vcpu.N.wait.
//   se.statistics.wait_sum                       :           123.456789

import { decimalAt, whole } from './bytes.js';
import type { FileSpec } from './spec.js';
import { ParseError, parseFixedDecimal, requireWhole, U64_MAX } from './u64.js';
import { NS_PER_MS } from './units.js';

export const SCHED: FileSpec = { path: '/proc/<pid>/task/<tid>/sched', limit: 64 * 1024 };
/** The key of the value, in ns (the file's ms with six decimals). */
export const SCHED_WAIT_KEY = 'vcpu.{i}.wait';
/** The line's key on each kernel generation; the first line with one of them counts. */
const WAIT_SUM_KEYS = ['se.statistics.wait_sum', 'se.wait_sum', 'wait_sum'] as const;
const WAIT_SUM_LINE = new RegExp(`^(${WAIT_SUM_KEYS.map((k) => k.replace(/\./g, '\\.')).join('|')})\\s*:(.*)$`);
/** Decimals after the point: more could not be represented in ns. */
const FRACTION_DIGITS = 6;

/** The wait_sum in nanoseconds, or undefined when the kernel does not keep schedstats. */
export function parseSchedWaitSumNs(text: string, source: string): bigint | undefined {
  if (text.trim() === '') throw new ParseError('empty', source);
  requireWhole(text, source);
  // Only a line holding "wait_sum" can match: look at those lines alone, in file order, rather
  // than split the whole file (some 60 lines, read for every vCPU every tick) into strings.
  for (let at = text.indexOf('wait_sum'); at >= 0; at = text.indexOf('wait_sum', at + 8)) {
    const start = text.lastIndexOf('\n', at) + 1;
    const nl = text.indexOf('\n', at);
    const line = text.slice(start, nl < 0 ? text.length : nl);
    // The key alone decides; a wait_sum line with a missing or malformed value is an error, not "absent".
    const m = WAIT_SUM_LINE.exec(line);
    if (m === null) continue;
    const v = m[2]!.trim();
    if (!new RegExp(`^[0-9]+(\\.[0-9]{1,${FRACTION_DIGITS}})?$`).test(v)) throw new ParseError(`bad wait_sum ${JSON.stringify(v.slice(0, 30))}`, source);
    const ns = parseFixedDecimal(v, FRACTION_DIGITS, source);
    if (ns > U64_MAX) throw new ParseError(`wait_sum exceeds 2^64-1 ns: ${v}`, source);
    return ns;
  }
  return undefined;
}

/** readSchedWaitSum(): the file has no wait_sum line (no schedstats): the key is absent. */
export const NO_WAIT_SUM = -3;
const WAIT_SUM = Buffer.from('wait_sum', 'latin1');
const ASCII_KEYS = WAIT_SUM_KEYS.map((k) => Buffer.from(k, 'latin1'));

/**
 * The wait_sum of buf[start, end) in ns; NO_WAIT_SUM when there is none; -1 for anything the
 * careful parser must see (empty, malformed, past 2^53 ns).
 */
export function readSchedWaitSum(buf: Buffer, start: number, end: number): number {
  // Blank (the careful parser's error), or only blanks and bytes past ASCII (which JavaScript may
  // count as blanks): the careful parser decides.
  let i = start;
  while (i < end && (buf[i]! <= 0x20 || buf[i]! > 0x7f)) i++;
  if (i === end || !whole(buf, start, end)) return -1;
  // The line is found by searching for "wait_sum" (a native search), not by walking every line.
  for (let at = buf.indexOf(WAIT_SUM, start); at >= 0 && at + WAIT_SUM.length <= end; at = buf.indexOf(WAIT_SUM, at + 1)) {
    const k = at + WAIT_SUM.length;
    const lineStart = at === start ? start : Math.max(start, buf.lastIndexOf(0x0a, at - 1) + 1);
    if (!isWaitSumKey(buf, lineStart, k)) continue;
    // Between the key and its colon: spaces and tabs here; another blank or a byte past ASCII
    // (JavaScript's \s may take it for one) is the careful parser's to judge.
    let eol = buf.indexOf(0x0a, k);
    if (eol < 0 || eol > end) eol = end;
    let v = k;
    while (v < eol && (buf[v] === 0x20 || buf[v] === 0x09)) v++;
    if (v < eol && ((buf[v]! >= 0x0b && buf[v]! <= 0x0d) || buf[v]! > 0x7f)) return -1;
    if (v === k && buf[v] !== 0x3a && v < eol) continue; // a longer key ("wait_sum_x")
    if (buf[v] !== 0x3a) return -1;
    v++;
    while (v < eol && buf[v] === 0x20) v++;
    let e = eol;
    while (e > v && buf[e - 1] === 0x20) e--;
    const dot = buf.indexOf(0x2e, v);
    const intEnd = dot >= 0 && dot < e ? dot : e;
    const ms = decimalAt(buf, v, intEnd);
    const fracLen = e - intEnd - 1;
    const frac = intEnd === e ? 0 : fracLen >= 1 && fracLen <= FRACTION_DIGITS ? decimalAt(buf, intEnd + 1, e) * 10 ** (FRACTION_DIGITS - fracLen) : -1;
    // 9e9 ms is 9e15 ns: below 2^53, so the sum is exact.
    if (ms < 0 || frac < 0 || ms > 9_000_000_000) return -1;
    return ms * NS_PER_MS + frac;
  }
  return NO_WAIT_SUM;
}

function isWaitSumKey(buf: Buffer, start: number, end: number): boolean {
  for (const key of ASCII_KEYS) {
    if (key.length !== end - start) continue;
    let i = 0;
    while (i < key.length && buf[start + i] === key[i]) i++;
    if (i === key.length) return true;
  }
  return false;
}
