// xen-blkback's counters: <backend dir>/statistics/{rd_req,rd_sect,wr_req,wr_sect,oo_req,f_req,ds_req},
// one decimal each. libvirt reads at most 63 bytes of one.

import { singleDecimal } from './bytes.js';
import { keysFrom, type FileSpec, type KeyFrom } from './spec.js';
import { parseSingleU64 } from './u64.js';
import { SECTOR_BYTES } from './units.js';

export const VBD_STAT: FileSpec = { path: '<backend dir>/statistics/<field>', limit: 64 };
export const VBD_FIELDS = ['rd_req', 'rd_sect', 'wr_req', 'wr_sect', 'oo_req', 'f_req', 'ds_req'] as const;
export type VbdField = (typeof VBD_FIELDS)[number];
/** Each field's key (one field, one file); sectors become bytes. */
export const VBD_KEYS: Readonly<Record<VbdField, KeyFrom<VbdField>>> = Object.fromEntries(
  keysFrom<VbdField>([
    ['block.{i}.rd.reqs', 'rd_req'],
    ['block.{i}.rd.bytes', 'rd_sect', SECTOR_BYTES],
    ['block.{i}.wr.reqs', 'wr_req'],
    ['block.{i}.wr.bytes', 'wr_sect', SECTOR_BYTES],
    ['block.{i}.errors', 'oo_req'],
    ['block.{i}.fl.reqs', 'f_req'],
    ['extra.block.{i}.discard.reqs', 'ds_req'],
  ]).map((k) => [k.from[0]!, k]),
) as Record<VbdField, KeyFrom<VbdField>>;

export const parseVbdStat = parseSingleU64;
/** One statistics file's value, or -1 (the careful parser's case); TOO_BIG as singleDecimal. */
export const readVbdStat = singleDecimal;
