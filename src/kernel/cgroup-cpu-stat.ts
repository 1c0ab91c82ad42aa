// cgroup v2 cpu.stat: "usage_usec 4435510\nuser_usec 3614444\nsystem_usec 821066\n..." (µs).

import { asciiKeys, keyedDecimals } from './bytes.js';
import { parseKeyValues } from './key-value.js';
import { keysFrom, type FileSpec, type KeyFrom } from './spec.js';
import { ParseError } from './u64.js';
import { NS_PER_US } from './units.js';

export const CGROUP_CPU_STAT: FileSpec = { path: '<cgroup v2 group>/cpu.stat', limit: 64 * 1024 };
const KEYS = ['usage_usec', 'user_usec', 'system_usec'] as const;
type Key = (typeof KEYS)[number];
export const CGROUP_CPU_STAT_KEYS: KeyFrom<Key>[] = keysFrom([
  ['cpu.time', 'usage_usec', NS_PER_US],
  ['cpu.user', 'user_usec', NS_PER_US],
  ['cpu.system', 'system_usec', NS_PER_US],
]);

export type CgroupCpuStat = Partial<Record<Key, bigint>> & { usage_usec: bigint };

export function parseCgroupCpuStat(text: string, source: string): CgroupCpuStat {
  const kv = parseKeyValues(text, KEYS, source);
  if (kv.usage_usec === undefined) throw new ParseError('usage_usec missing', source);
  return { ...kv, usage_usec: kv.usage_usec };
}

/** Where the fast reader puts each key's value. */
export const CGROUP_CPU_STAT_AT: Readonly<Record<Key, number>> = { usage_usec: 0, user_usec: 1, system_usec: 2 };
const ASCII = asciiKeys(KEYS);

/** The three values into out[0..2]; false when the careful parser must read the file (a value missing, malformed or past 2^53). */
export function readCgroupCpuStat(buf: Uint8Array, start: number, end: number, out: Float64Array): boolean {
  return keyedDecimals(buf, start, end, ASCII, out.subarray(0, 3)) && out[0] === out[0] && out[1] === out[1] && out[2] === out[2];
}
