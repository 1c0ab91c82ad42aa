// xen-blkback counters: <backend dir>/statistics/{rd_req,rd_sect,wr_req,wr_sect,oo_req,f_req,ds_req}.
// The directory is vbd-<domid>-<devnum> (tap-… for blktap1) under /sys/bus/xen-backend/devices or,
// on old kernels, /sys/devices/xen-backend; like libvirt, each field is taken from the first place
// it can be read. Paths are built from two integers only.

import { HostFs, isGone } from '../../host/hostfs.js';
import { parseSingleU64 } from '../../parse/u64.js';
import { InternalError } from '../../common/errors.js';

export const VBD_FIELDS = ['rd_req', 'rd_sect', 'wr_req', 'wr_sect', 'oo_req', 'f_req', 'ds_req'] as const;
export type VbdField = (typeof VBD_FIELDS)[number];
/** A field's value, or null when no candidate file could be read or parsed. */
export type VbdCounters = Record<VbdField, bigint | null>;

export const MODERN_BACKEND_DIR = '/sys/bus/xen-backend/devices';
export const OLD_BACKEND_DIR = '/sys/devices/xen-backend';

/** libvirt's four candidate directories, in its order. */
export function vbdCandidateDirs(domid: number, devnum: number): string[] {
  if (!Number.isSafeInteger(domid) || domid < 0 || !Number.isSafeInteger(devnum) || devnum < 0) {
    throw new InternalError(`bad vbd identity ${domid}/${devnum}`);
  }
  return [
    `${MODERN_BACKEND_DIR}/vbd-${domid}-${devnum}`,
    `${MODERN_BACKEND_DIR}/tap-${domid}-${devnum}`,
    `${OLD_BACKEND_DIR}/vbd-${domid}-${devnum}`,
    `${OLD_BACKEND_DIR}/tap-${domid}-${devnum}`,
  ];
}

/** The candidate statistics directories that exist now (resolved once per inventory change). */
export function existingVbdDirs(fs: HostFs, domid: number, devnum: number): string[] {
  return vbdCandidateDirs(domid, devnum)
    .map((d) => `${d}/statistics`)
    .filter((d) => fs.isDir(d));
}

/** libvirt reads at most 63 bytes of a statistics file. */
const STAT_FILE_LIMIT = 64;

export function readVbdCounters(fs: HostFs, dirs: readonly string[]): VbdCounters {
  const out = {} as VbdCounters;
  for (const field of VBD_FIELDS) {
    out[field] = null;
    for (const dir of dirs) {
      const file = `${dir}/${field}`;
      try {
        const text = fs.readText(file, STAT_FILE_LIMIT);
        if (isGone(text)) continue;
        out[field] = parseSingleU64(text, file);
        break;
      } catch {
        // unreadable or malformed here: try the next place, else the field stays unknown
      }
    }
  }
  return out;
}
