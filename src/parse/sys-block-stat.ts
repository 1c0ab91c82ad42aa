// /sys/block/<dev>/stat (Documentation/block/stat.rst): 11 fields on old kernels, 15 with
// discard (4.18), 17 with flush (5.5). Sectors are 512 bytes whatever the device; ticks are ms.
//   73 0 577 3 184 0 1472 9 0 16 13 0 0 0 0 0 0

import { ParseError, parseU64 } from './u64.js';

export interface SysBlockStat {
  readIos: bigint;
  readMerges: bigint;
  readSectors: bigint;
  readTicksMs: bigint;
  writeIos: bigint;
  writeMerges: bigint;
  writeSectors: bigint;
  writeTicksMs: bigint;
  inFlight: bigint;
  ioTicksMs: bigint;
  timeInQueueMs: bigint;
  discardIos?: bigint;
  discardMerges?: bigint;
  discardSectors?: bigint;
  discardTicksMs?: bigint;
  flushIos?: bigint;
  flushTicksMs?: bigint;
}

const FIELDS = [
  'readIos',
  'readMerges',
  'readSectors',
  'readTicksMs',
  'writeIos',
  'writeMerges',
  'writeSectors',
  'writeTicksMs',
  'inFlight',
  'ioTicksMs',
  'timeInQueueMs',
  'discardIos',
  'discardMerges',
  'discardSectors',
  'discardTicksMs',
  'flushIos',
  'flushTicksMs',
] as const;

export function parseSysBlockStat(text: string, source: string): SysBlockStat {
  const t = text.trim().split(/\s+/);
  if (![11, 15, 17].includes(t.length)) throw new ParseError(`expected 11, 15 or 17 fields, found ${t[0] === '' ? 0 : t.length}`, source);
  const out: Partial<Record<(typeof FIELDS)[number], bigint>> = {};
  t.forEach((tok, i) => (out[FIELDS[i]!] = parseU64(tok, source)));
  return out as SysBlockStat;
}
