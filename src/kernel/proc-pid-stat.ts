// /proc/<pid>/stat and /proc/<pid>/task/<tid>/stat: "pid (comm) state ppid ...". comm may hold
// spaces and parentheses, so fields are counted from the last ')'. Field numbers follow proc(5).
//   20736 (CPU 0/TCG) S 1 20727 20727 0 -1 138412224 10942 0 0 0 319 47 0 0 20 0 7 0 160465 ...

import { pickedDecimals, whole } from './bytes.js';
import type { FileSpec, KeyFrom } from './spec.js';
import { ParseError, parseU64, requireWhole } from './u64.js';
import { NS_PER_TICK, PAGE_KIB } from './units.js';

export const PROC_PID_STAT: FileSpec = { path: '/proc/<pid>/stat', limit: 4096 };
/** Field numbers (proc(5), from 1) of what domstat reads. */
const FIELD = { utimeTicks: 14, stimeTicks: 15, rssPages: 24, processor: 39 } as const;
type Counted = 'utimeTicks' | 'stimeTicks' | 'rssPages';

/** A process's CPU time (a QEMU process without a cgroup of its own). */
export const PROC_STAT_CPU_KEYS: KeyFrom<Counted>[] = [
  { key: 'cpu.time', from: ['utimeTicks', 'stimeTicks'], factor: NS_PER_TICK },
  { key: 'cpu.user', from: ['utimeTicks'], factor: NS_PER_TICK },
  { key: 'cpu.system', from: ['stimeTicks'], factor: NS_PER_TICK },
];
/** The QEMU process's resident set size. */
export const PROC_STAT_RSS_KEYS: KeyFrom<Counted>[] = [{ key: 'balloon.rss', from: ['rssPages'], factor: PAGE_KIB }];
/** A vCPU thread's CPU time. */
export const PROC_STAT_VCPU_KEYS: KeyFrom<Counted>[] = [{ key: 'vcpu.{i}.time', from: ['utimeTicks', 'stimeTicks'], factor: NS_PER_TICK }];

export interface ProcPidStat {
  /** Field 14, clock ticks in user mode. */
  utimeTicks: bigint;
  /** Field 15, clock ticks in kernel mode. */
  stimeTicks: bigint;
  /** Field 24, resident set size in pages. */
  rssPages: bigint;
  /** Field 39, CPU last run on (absent on very old kernels). */
  processor?: number;
}

/** JavaScript's \s (what trim() and split(/\s+/) use), by character code. */
function isSpace(c: number): boolean {
  return (
    c === 32 ||
    (c >= 9 && c <= 13) ||
    (c > 127 &&
      (c === 0xa0 ||
        c === 0x1680 ||
        (c >= 0x2000 && c <= 0x200a) ||
        c === 0x2028 ||
        c === 0x2029 ||
        c === 0x202f ||
        c === 0x205f ||
        c === 0x3000 ||
        c === 0xfeff))
  );
}

/**
 * The first `max` tokens of `text` from `from` on, as trim().split(/\s+/) would give them, without
 * cutting the other ~15 fields into strings (read for every QEMU process and vCPU every tick).
 */
function tokens(text: string, from: number, max: number): string[] {
  const out: string[] = [];
  let i = from;
  while (out.length < max) {
    while (i < text.length && isSpace(text.charCodeAt(i))) i++;
    if (i >= text.length) break;
    const start = i;
    while (i < text.length && !isSpace(text.charCodeAt(i))) i++;
    out.push(text.slice(start, i));
  }
  return out;
}

export function parseProcPidStat(text: string, source: string): ProcPidStat {
  requireWhole(text, source);
  const close = text.lastIndexOf(')');
  if (close < 0 || !text.slice(0, close).includes('(')) throw new ParseError('no (comm) field', source);
  // After ')' come fields 3.. ; index i of `rest` is field i + 3. Only fields up to 39 are used.
  const rest = tokens(text, close + 1, FIELD.processor - 3 + 1);
  const field = (n: number) => {
    const t = rest[n - 3];
    if (t === undefined) throw new ParseError(`truncated: field ${n} missing`, source);
    return t;
  };
  const stat: ProcPidStat = {
    utimeTicks: parseU64(field(FIELD.utimeTicks), source),
    stimeTicks: parseU64(field(FIELD.stimeTicks), source),
    rssPages: parseU64(field(FIELD.rssPages), source),
  };
  const cpu = rest[FIELD.processor - 3];
  if (cpu !== undefined && /^[0-9]{1,6}$/.test(cpu)) stat.processor = Number(cpu);
  return stat;
}

/** Where the fast reader puts each counted field in its output. */
export const PROC_PID_STAT_AT: Readonly<Record<Counted, number>> = { utimeTicks: 0, stimeTicks: 1, rssPages: 2 };
const PICKS = Int32Array.of(FIELD.utimeTicks - 3, FIELD.stimeTicks - 3, FIELD.rssPages - 3);

/**
 * utime, stime and rss of a stat file in buf[start, end) into out (by PROC_PID_STAT_AT), counting
 * fields after the last ')' as the careful parser does; false when it must read the file instead.
 */
export function readProcPidStat(buf: Uint8Array, start: number, end: number, out: Float64Array): boolean {
  if (!whole(buf, start, end)) return false;
  const close = buf.lastIndexOf(0x29 /* ) */, end - 1);
  const open = buf.indexOf(0x28 /* ( */, start);
  return (
    open >= 0 &&
    open < close &&
    close >= start &&
    pickedDecimals(buf, close + 1, end, PICKS, out) &&
    out[0] === out[0] &&
    out[1] === out[1] &&
    out[2] === out[2]
  );
}
