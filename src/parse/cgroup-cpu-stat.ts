// cgroup v2 cpu.stat: "usage_usec 4435510\nuser_usec 3614444\nsystem_usec 821066\n..." (µs).

import { parseKeyValues } from './key-value.js';
import { ParseError } from './u64.js';

export interface CgroupCpuStat {
  usageUsec: bigint;
  userUsec?: bigint;
  systemUsec?: bigint;
}

export function parseCgroupCpuStat(text: string, source: string): CgroupCpuStat {
  const kv = parseKeyValues(text, ['usage_usec', 'user_usec', 'system_usec'] as const, source);
  if (kv.usage_usec === undefined) throw new ParseError('usage_usec missing', source);
  const r: CgroupCpuStat = { usageUsec: kv.usage_usec };
  if (kv.user_usec !== undefined) r.userUsec = kv.user_usec;
  if (kv.system_usec !== undefined) r.systemUsec = kv.system_usec;
  return r;
}
