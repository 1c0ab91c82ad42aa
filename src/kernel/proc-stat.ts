// /proc/stat, the aggregate "cpu" line: user nice system idle iowait irq softirq steal [guest
// guest_nice], in USER_HZ ticks since boot.
//   cpu  24214 0 7960 2033441 1088 0 272 0 0 0

import { keysFrom, type FileSpec, type KeyFrom } from './spec.js';
import { ParseError, parseU64, requireWhole } from './u64.js';
import { NS_PER_TICK } from './units.js';

export const PROC_STAT: FileSpec = { path: '/proc/stat', limit: 1 << 20 };
export const PROC_STAT_CPU_FIELDS = ['user', 'nice', 'system', 'idle', 'iowait', 'irq', 'softirq', 'steal'] as const;
type Field = (typeof PROC_STAT_CPU_FIELDS)[number];
export type ProcStatCpu = Record<Field, bigint>;
/** The host's CPU time by state. */
export const PROC_STAT_KEYS: KeyFrom<Field>[] = keysFrom(PROC_STAT_CPU_FIELDS.map((f) => [`host.cpu.${f}`, f, NS_PER_TICK] as const));

export function parseProcStatCpu(text: string, source: string): ProcStatCpu {
  requireWhole(text, source);
  const lines = text.split('\n').filter((l) => l.startsWith('cpu '));
  if (lines.length > 1) throw new ParseError('aggregate cpu line repeated', source);
  const line = lines[0];
  if (line === undefined) throw new ParseError('no aggregate cpu line', source);
  const t = line.trim().split(/\s+/).slice(1);
  if (t.length < PROC_STAT_CPU_FIELDS.length) throw new ParseError(`cpu line has ${t.length} fields, expected at least 8`, source);
  const out = {} as ProcStatCpu;
  PROC_STAT_CPU_FIELDS.forEach((f, i) => (out[f] = parseU64(t[i]!, source)));
  return out;
}
