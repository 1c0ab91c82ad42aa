// cgroup v1 cpuacct files: cpuacct.usage (one ns value), cpuacct.stat ("user <ticks>\nsystem
// <ticks>", USER_HZ ticks) and cpuacct.usage_percpu (ns per possible CPU, space separated).

import { asciiKeys, keyedDecimals, singleDecimal } from './bytes.js';
import { parseKeyValues } from './key-value.js';
import { keysFrom, type FileSpec, type KeyFrom } from './spec.js';
import { ParseError, parseSingleU64, parseU64, requireWhole } from './u64.js';
import { NS_PER_TICK } from './units.js';

export const CPUACCT_USAGE: FileSpec = { path: '<cpuacct group>/cpuacct.usage', limit: 64 };
export const CPUACCT_USAGE_KEYS: KeyFrom<'usage'>[] = keysFrom([['cpu.time', 'usage']]);
export const CPUACCT_STAT: FileSpec = { path: '<cpuacct group>/cpuacct.stat', limit: 4096 };
const STAT_KEYS = ['user', 'system'] as const;
type StatKey = (typeof STAT_KEYS)[number];
export const CPUACCT_STAT_KEYS: KeyFrom<StatKey>[] = keysFrom([
  ['cpu.user', 'user', NS_PER_TICK],
  ['cpu.system', 'system', NS_PER_TICK],
]);
export const CPUACCT_PERCPU: FileSpec = { path: '<cpuacct group>/cpuacct.usage_percpu', limit: 256 * 1024 };

export const parseCpuacctUsage = (text: string, source: string) => ({ usage: parseSingleU64(text, source) });
/** The usage in ns, or -1 (the careful parser's case); TOO_BIG as singleDecimal. */
export const readCpuacctUsage = singleDecimal;

export function parseCpuacctStat(text: string, source: string): Record<StatKey, bigint> {
  const kv = parseKeyValues(text, STAT_KEYS, source);
  if (kv.user === undefined || kv.system === undefined) throw new ParseError('user or system missing', source);
  return { user: kv.user, system: kv.system };
}

export const CPUACCT_STAT_AT: Readonly<Record<StatKey, number>> = { user: 0, system: 1 };
const ASCII = asciiKeys(STAT_KEYS);

/** user and system into out[0..1]; false when the careful parser must read the file. */
export function readCpuacctStat(buf: Uint8Array, start: number, end: number, out: Float64Array): boolean {
  return keyedDecimals(buf, start, end, ASCII, out.subarray(0, 2)) && out[0] === out[0] && out[1] === out[1];
}

export function parseCpuacctPercpu(text: string, source: string): bigint[] {
  requireWhole(text, source);
  const tokens = text
    .trim()
    .split(/\s+/)
    .filter((t) => t !== '');
  if (tokens.length === 0) throw new ParseError('no per-CPU values', source);
  return tokens.map((t) => parseU64(t, source));
}
