// /sys/block/<dev>/stat (Documentation/block/stat.rst), read as /sys/dev/block/MAJ:MIN/stat: 11
// fields on old kernels, 15 with discard (4.18), 17 with flush (5.5). Sectors are 512 bytes
// whatever the device; ticks are ms. And the device's size, in sectors.
//   73 0 577 3 184 0 1472 9 0 16 13 0 0 0 0 0 0

import { decimalFields, singleDecimal, whole } from './bytes.js';
import { keysFrom, type FileSpec, type KeyFrom } from './spec.js';
import { ParseError, parseSingleU64, parseU64, requireWhole } from './u64.js';
import { NS_PER_MS, SECTOR_BYTES } from './units.js';

export const BLOCK_STAT_FIELDS = [
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
export type BlockStatField = (typeof BLOCK_STAT_FIELDS)[number];
type Optional = 'discardIos' | 'discardMerges' | 'discardSectors' | 'discardTicksMs' | 'flushIos' | 'flushTicksMs';
/** The first eleven fields are always there; discard and flush only on newer kernels. */
export type SysBlockStat = Record<Exclude<BlockStatField, Optional>, bigint> & Partial<Record<Optional, bigint>>;

export const BLOCK_STAT: FileSpec & { widths: readonly number[] } = { path: '/sys/dev/block/<maj>:<min>/stat', limit: 4096, widths: [11, 15, 17] };
/** The block group's counters from the stat file, in the order libvirt's QEMU driver lists them. */
export const BLOCK_STAT_KEYS: KeyFrom<BlockStatField>[] = keysFrom([
  ['block.{i}.rd.reqs', 'readIos'],
  ['block.{i}.rd.bytes', 'readSectors', SECTOR_BYTES],
  ['block.{i}.rd.times', 'readTicksMs', NS_PER_MS],
  ['block.{i}.wr.reqs', 'writeIos'],
  ['block.{i}.wr.bytes', 'writeSectors', SECTOR_BYTES],
  ['block.{i}.wr.times', 'writeTicksMs', NS_PER_MS],
  ['block.{i}.fl.reqs', 'flushIos'],
  ['block.{i}.fl.times', 'flushTicksMs', NS_PER_MS],
]);

export function parseSysBlockStat(text: string, source: string): SysBlockStat {
  requireWhole(text, source);
  const t = text.trim().split(/\s+/);
  if (!BLOCK_STAT.widths.includes(t.length)) throw new ParseError(`expected 11, 15 or 17 fields, found ${t[0] === '' ? 0 : t.length}`, source);
  const out: Partial<Record<BlockStatField, bigint>> = {};
  t.forEach((tok, i) => (out[BLOCK_STAT_FIELDS[i]!] = parseU64(tok, source)));
  return out as SysBlockStat;
}

/** Position of each field in a line, for the fast reader's output. */
export const BLOCK_STAT_AT: Readonly<Record<BlockStatField, number>> = Object.fromEntries(BLOCK_STAT_FIELDS.map((f, i) => [f, i])) as Record<
  BlockStatField,
  number
>;

/**
 * The stat file in buf[start, end) into out[0..16] (by BLOCK_STAT_AT): the number of fields, or
 * -1 when the careful parser must read it (not 11, 15 or 17 plain decimals, or one past 2^53: the
 * careful parser checks every field, and such a one may be past 2^64 too).
 */
export function readSysBlockStat(buf: Uint8Array, start: number, end: number, out: Float64Array): number {
  if (!whole(buf, start, end)) return -1;
  const n = decimalFields(buf, start, end, out);
  if (!BLOCK_STAT.widths.includes(n)) return -1;
  for (let i = 0; i < n; i++) if (out[i] !== out[i]) return -1;
  return n;
}

/** /sys/dev/block/MAJ:MIN/size: the device's size in sectors; capacity and physical size in bytes. */
export const BLOCK_SIZE: FileSpec = { path: '/sys/dev/block/<maj>:<min>/size', limit: 64 };
export const BLOCK_SIZE_KEYS: KeyFrom<'sectors'>[] = keysFrom([
  ['block.{i}.capacity', 'sectors', SECTOR_BYTES],
  ['block.{i}.physical', 'sectors', SECTOR_BYTES],
]);

export const parseBlockSize = (text: string, source: string) => ({ sectors: parseSingleU64(text, source) });
/** The size file's sectors, or -1 (the careful parser's case); TOO_BIG as singleDecimal. */
export const readBlockSize = singleDecimal;
