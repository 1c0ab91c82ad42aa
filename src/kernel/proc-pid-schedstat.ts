// /proc/<pid>/task/<tid>/schedstat: "<on-cpu ns> <run-queue wait ns> <timeslices>".

import { decimalFields, whole } from './bytes.js';
import { keysFrom, type FileSpec, type KeyFrom } from './spec.js';
import { ParseError, parseU64, requireWhole } from './u64.js';

export const SCHEDSTAT: FileSpec = { path: '/proc/<pid>/task/<tid>/schedstat', limit: 256 };
export const SCHEDSTAT_KEYS: KeyFrom<'waitNs'>[] = keysFrom([['vcpu.{i}.delay', 'waitNs']]);

export interface ProcSchedstat {
  runNs: bigint;
  waitNs: bigint;
  timeslices: bigint;
}

export function parseProcSchedstat(text: string, source: string): ProcSchedstat {
  requireWhole(text, source);
  const t = text.trim().split(/\s+/);
  if (t.length !== 3) throw new ParseError(`expected 3 fields, found ${t[0] === '' ? 0 : t.length}`, source);
  return { runNs: parseU64(t[0]!, source), waitNs: parseU64(t[1]!, source), timeslices: parseU64(t[2]!, source) };
}

export const SCHEDSTAT_AT = { runNs: 0, waitNs: 1, timeslices: 2 } as const;

/** The three fields into out[0..2]; false when the careful parser must read the file (one is past 2^53: it may be past 2^64 too). */
export function readProcSchedstat(buf: Uint8Array, start: number, end: number, out: Float64Array): boolean {
  return whole(buf, start, end) && decimalFields(buf, start, end, out) === 3 && out[0] === out[0] && out[1] === out[1] && out[2] === out[2];
}
