// /proc/<pid>/task/<tid>/schedstat: "<on-cpu ns> <run-queue wait ns> <timeslices>".

import { ParseError, parseU64 } from './u64.js';

export interface ProcSchedstat {
  runNs: bigint;
  waitNs: bigint;
  timeslices: bigint;
}

export function parseProcSchedstat(text: string, source: string): ProcSchedstat {
  const t = text.trim().split(/\s+/);
  if (t.length !== 3) throw new ParseError(`expected 3 fields, found ${t[0] === '' ? 0 : t.length}`, source);
  return { runNs: parseU64(t[0]!, source), waitNs: parseU64(t[1]!, source), timeslices: parseU64(t[2]!, source) };
}
