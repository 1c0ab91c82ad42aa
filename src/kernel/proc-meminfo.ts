// /proc/meminfo: "MemTotal:       16318684 kB" lines. Values in KiB; unknown keys ignored, a known
// key whose line does not read as "Key: <u64> kB", or that is listed twice, is an error (never a
// value quietly left out or taken from one of two lines).

import { keysFrom, type FileSpec, type KeyFrom } from './spec.js';
import { ParseError, parseU64, requireWhole } from './u64.js';

export const PROC_MEMINFO: FileSpec = { path: '/proc/meminfo', limit: 1 << 20 };
export const MEMINFO_FIELDS = ['MemTotal', 'MemFree', 'MemAvailable', 'Buffers', 'Cached', 'SwapTotal', 'SwapFree'] as const;
type Field = (typeof MEMINFO_FIELDS)[number];
export type ProcMeminfo = Partial<Record<Field, bigint>>;
/** The host's memory (MemAvailable: kernels from 3.14). */
export const MEMINFO_KEYS: KeyFrom<Field>[] = keysFrom([
  ['host.mem.total', 'MemTotal'],
  ['host.mem.free', 'MemFree'],
  ['host.mem.available', 'MemAvailable'],
  ['host.mem.buffers', 'Buffers'],
  ['host.mem.cached', 'Cached'],
  ['host.swap.total', 'SwapTotal'],
  ['host.swap.free', 'SwapFree'],
]);

const LINE = /^([A-Za-z0-9_()]+):(.*)$/;
const VALUE = /^\s+(\S+)(?:\s+kB)?\s*$/;

export function parseProcMeminfo(text: string, source: string): ProcMeminfo {
  requireWhole(text, source);
  const out: ProcMeminfo = {};
  const want = new Set<string>(MEMINFO_FIELDS);
  for (const line of text.split('\n')) {
    const m = LINE.exec(line);
    if (m === null || !want.has(m[1]!)) continue;
    const v = VALUE.exec(m[2]!);
    if (v === null) throw new ParseError(`malformed line ${JSON.stringify(line.slice(0, 60))}`, source);
    if (Object.hasOwn(out, m[1]!)) throw new ParseError(`key ${m[1]} repeated`, source);
    out[m[1] as Field] = parseU64(v[1]!, source);
  }
  if (out.MemTotal === undefined) throw new ParseError('MemTotal missing', source);
  return out;
}
