// cgroup v1 cpuacct files: cpuacct.usage (one ns value), cpuacct.stat ("user <ticks>\nsystem
// <ticks>", USER_HZ ticks) and cpuacct.usage_percpu (ns per possible CPU, space separated).

import { parseKeyValues } from './key-value.js';
import { ParseError, parseU64 } from './u64.js';

export interface CpuacctStat {
  userTicks: bigint;
  systemTicks: bigint;
}

export function parseCpuacctStat(text: string, source: string): CpuacctStat {
  const kv = parseKeyValues(text, ['user', 'system'] as const, source);
  if (kv.user === undefined || kv.system === undefined) throw new ParseError('user or system missing', source);
  return { userTicks: kv.user, systemTicks: kv.system };
}

export function parseCpuacctPercpu(text: string, source: string): bigint[] {
  const tokens = text
    .trim()
    .split(/\s+/)
    .filter((t) => t !== '');
  if (tokens.length === 0) throw new ParseError('no per-CPU values', source);
  return tokens.map((t) => parseU64(t, source));
}
