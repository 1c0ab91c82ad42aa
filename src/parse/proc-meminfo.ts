// /proc/meminfo: "MemTotal:       16318684 kB" lines. Values in KiB; unknown keys ignored.

import { ParseError, parseU64 } from './u64.js';

export const MEMINFO_KEYS = ['MemTotal', 'MemFree', 'MemAvailable', 'Buffers', 'Cached', 'SwapTotal', 'SwapFree'] as const;
export type ProcMeminfo = Partial<Record<(typeof MEMINFO_KEYS)[number], bigint>>;

export function parseProcMeminfo(text: string, source: string): ProcMeminfo {
  const out: ProcMeminfo = {};
  const want = new Set<string>(MEMINFO_KEYS);
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z0-9_()]+):\s+(\S+)(?:\s+kB)?\s*$/.exec(line);
    if (m === null || !want.has(m[1]!)) continue;
    out[m[1] as (typeof MEMINFO_KEYS)[number]] = parseU64(m[2]!, source);
  }
  if (out.MemTotal === undefined) throw new ParseError('MemTotal missing', source);
  return out;
}
