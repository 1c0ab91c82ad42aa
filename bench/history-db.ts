// A history database of one-second ticks written straight through the writer (the synthetic
// KVM-shaped domains of samples.ts): the worst case for a history query, e.g. two days of raw
// ticks, built in well under a minute for a few domains.

import { openDatabase } from '../src/store/db.js';
import { HistoryWriter } from '../src/store/writer.js';
import { domainOf } from './samples.js';

export interface SecondsHistory {
  /** The synthetic domains' names (q-0000, ...). */
  names: string[];
  /** Unix ms of the first and the last tick. */
  first: number;
  last: number;
}

/** `seconds` one-second ticks of `domains` synthetic domains, ending at `endMs`, into a new database at `file`. */
export function buildSecondsHistory(file: string, domains: number, seconds: number, endMs: number): SecondsHistory {
  const db = openDatabase(file);
  try {
    const w = new HistoryWriter(db);
    const doms = Array.from({ length: domains }, (_, d) => domainOf(w.map, d));
    const first = Math.floor(endMs / 1000) * 1000 - (seconds - 1) * 1000;
    for (let i = 0; i < seconds; i++) {
      const ts = first + i * 1000;
      w.write({ ts, mono: ts, dt: i === 0 ? null : 1000, collectUs: 1, domains: doms.map((d) => d.next(ts)) });
    }
    w.flushOpen();
    db.pragma('wal_checkpoint(TRUNCATE)');
    return { names: doms.map((d) => d.name), first, last: first + (seconds - 1) * 1000 };
  } finally {
    db.close();
  }
}
