// Where xen-blkback's counters are, and reading them carefully. The directory is
// vbd-<domid>-<devnum> (tap-… for blktap1) under /sys/bus/xen-backend/devices or, on old kernels,
// /sys/devices/xen-backend; like libvirt, each field is taken from the first place it can be read.
// Paths are built from two integers only. The files' format is kernel/xen-vbd.ts.

import { HostFs, isGone } from '../../host/hostfs.js';
import { parseVbdStat, VBD_FIELDS, VBD_STAT, type VbdField } from '../../kernel/xen-vbd.js';
import { InternalError, messageOf } from '../../common/errors.js';

/** A field's value, or null when no candidate file could be read or parsed. */
export type VbdCounters = Record<VbdField, bigint | null>;

export const MODERN_BACKEND_DIR = '/sys/bus/xen-backend/devices';
export const OLD_BACKEND_DIR = '/sys/devices/xen-backend';
/** Where backend devices are listed, newest layout first. */
export const BACKEND_DIRS = [MODERN_BACKEND_DIR, OLD_BACKEND_DIR] as const;

/** libvirt's four candidate directories, in its order. */
export function vbdCandidateDirs(domid: number, devnum: number): string[] {
  if (!Number.isSafeInteger(domid) || domid < 0 || !Number.isSafeInteger(devnum) || devnum < 0) {
    throw new InternalError(`bad vbd identity ${domid}/${devnum}`);
  }
  return BACKEND_DIRS.flatMap((dir) => [`${dir}/vbd-${domid}-${devnum}`, `${dir}/tap-${domid}-${devnum}`]);
}

/** The candidate statistics directories that exist now (resolved once per inventory change). */
export function existingVbdDirs(fs: HostFs, domid: number, devnum: number): string[] {
  return vbdCandidateDirs(domid, devnum)
    .map((d) => `${d}/statistics`)
    .filter((d) => fs.isDir(d));
}

/**
 * Each field from the first directory where it reads; a file that is there but unreadable or
 * malformed is said in `problems` (the next directory may still have the field).
 */
export function readVbdCounters(fs: HostFs, dirs: readonly string[], problems: string[] = []): VbdCounters {
  const out = {} as VbdCounters;
  for (const field of VBD_FIELDS) {
    out[field] = null;
    for (const dir of dirs) {
      const file = `${dir}/${field}`;
      try {
        const text = fs.readText(file, VBD_STAT.limit);
        if (isGone(text)) continue;
        out[field] = parseVbdStat(text, file);
        break;
      } catch (e) {
        problems.push(messageOf(e));
      }
    }
  }
  return out;
}
