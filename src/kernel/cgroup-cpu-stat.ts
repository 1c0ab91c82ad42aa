// cgroup v2 cpu.stat: "usage_usec 4435510\nuser_usec 3614444\nsystem_usec 821066\n..." (µs).

import { asciiKeys, keyedDecimals, presentKeys } from './bytes.js';
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

// CPU bandwidth throttling (domstat's cgroup.cpu.* keys): v2 cpu.stat's nr_periods, nr_throttled
// and throttled_usec (present only where the cpu controller is enabled for the group), and v1's
// cpu controller cpu.stat: "nr_periods N\nnr_throttled N\nthrottled_time <ns>\n[nr_bursts ...]".
const THROTTLE_V2 = ['nr_periods', 'nr_throttled', 'throttled_usec'] as const;
const THROTTLE_V1 = ['nr_periods', 'nr_throttled', 'throttled_time'] as const;
type ThrottleV2 = (typeof THROTTLE_V2)[number];
type ThrottleV1 = (typeof THROTTLE_V1)[number];
export const CGROUP_V1_CPU_STAT: FileSpec = { path: '<cpu group>/cpu.stat', limit: 4096 };
export const CPU_THROTTLE_V2_FIELDS = THROTTLE_V2;
export const CPU_THROTTLE_V1_FIELDS = THROTTLE_V1;
export const CPU_THROTTLE_V2_KEYS: KeyFrom<ThrottleV2>[] = keysFrom([
  ['cgroup.cpu.periods', 'nr_periods'],
  ['cgroup.cpu.throttled', 'nr_throttled'],
  ['cgroup.cpu.throttled.time', 'throttled_usec', NS_PER_US],
]);
export const CPU_THROTTLE_V1_KEYS: KeyFrom<ThrottleV1>[] = keysFrom([
  ['cgroup.cpu.periods', 'nr_periods'],
  ['cgroup.cpu.throttled', 'nr_throttled'],
  ['cgroup.cpu.throttled.time', 'throttled_time'],
]);

/** The throttling fields the file has (a v2 group without the cpu controller has none: an empty result). */
export function parseCpuThrottle<F extends ThrottleV2 | ThrottleV1>(text: string, fields: readonly F[], source: string): Partial<Record<F, bigint>> {
  return parseKeyValues(text, fields, source, /\s+/, false);
}

export const CPU_THROTTLE_AT = { nr_periods: 0, nr_throttled: 1, throttled_usec: 2, throttled_time: 2 } as const;
export const CPU_THROTTLE_V2_ASCII = asciiKeys(THROTTLE_V2);
export const CPU_THROTTLE_V1_ASCII = asciiKeys(THROTTLE_V1);

/** The three throttling fields into out[0..2] (by CPU_THROTTLE_AT), NaN where the file has none; false: the careful parser must read it. */
export function readCpuThrottle(buf: Uint8Array, start: number, end: number, keys: readonly Uint8Array[], out: Float64Array): boolean {
  return presentKeys(buf, start, end, keys, out, false);
}
