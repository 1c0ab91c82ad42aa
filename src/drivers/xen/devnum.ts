// Disk name -> Xen virtual block device number. First libvirt's legacy table
// (xenLinuxDomainDeviceID), then Xen's canonical encodings (libxl__device_disk_dev_number, see
// xen-vbd-interface(7)): numeric, dNpM, xvd beyond xvdiz and partitions up to 255. Whatever
// neither accepts gets libvirt's error text. The result is an integer: disk names never reach a path.

import { invalidArg, type VirError } from '../../stats/errors.js';

const SCSI_MAJOR = [8, 65, 66, 67, 68, 69, 70, 71, 128, 129, 130, 131, 132, 133, 134, 135] as const;
const IDE_MAJOR = [3, 22, 33, 34, 56, 57, 88, 89, 90, 91] as const;
const XENVBD_MAJOR = 202;
const EXTENDED = 1 << 28;
const MAX_DISK = (1 << 20) - 1;
const INT_MAX = 0x7fffffff;

const letter = (c: string) => c.charCodeAt(0) - 97;

/** Bijective base-26: a=0 … z=25, aa=26 … */
function diskIndex(letters: string): number {
  let d = 0;
  for (const c of letters) d = d * 26 + letter(c) + 1;
  return d - 1;
}

/** "", "1".."N": absent -> 0; no leading zeros; libvirt needs >= 1 when present. */
function partition(s: string | undefined): number | null {
  if (s === undefined || s === '') return 0;
  if (s.length > 1 && s.startsWith('0')) return null;
  return Number(s);
}

/** libvirt's legacy regex table; null when no row matches. */
function legacy(name: string): number | null {
  let m: RegExpExecArray | null;
  const part = (p: string | undefined, max: number) => {
    const n = partition(p);
    return n !== null && (p === undefined || (n >= 1 && n <= max)) ? n : null;
  };
  if ((m = /^sd([a-z])([0-9]{1,2})?$/.exec(name))) {
    const d = letter(m[1]!);
    const p = part(m[2], 15);
    return p === null ? null : sdNumber(d, p);
  }
  if ((m = /^sd([a-h][a-z]|i[a-v])([0-9]{1,2})?$/.exec(name))) {
    const d = (letter(m[1]![0]!) + 1) * 26 + letter(m[1]![1]!);
    const p = part(m[2], 15);
    return p === null ? null : sdNumber(d, p);
  }
  if ((m = /^hd([a-t])([0-9]{1,2})?$/.exec(name))) {
    const d = letter(m[1]!);
    const p = part(m[2], 63);
    return p === null ? null : IDE_MAJOR[Math.floor(d / 2)]! * 256 + (d % 2) * 64 + p;
  }
  if ((m = /^xvd([a-z]|[a-i][a-z])([0-9]{1,2})?$/.exec(name))) {
    const d = diskIndex(m[1]!);
    const p = part(m[2], 15);
    if (p === null) return null;
    return d <= 15 ? (XENVBD_MAJOR << 8) + (d << 4) + p : EXTENDED + (d << 8) + p;
  }
  return null;
}

function sdNumber(d: number, p: number): number {
  return SCSI_MAJOR[Math.floor(d / 16)]! * 256 + (d % 16) * 16 + p;
}

/** Xen's canonical forms that libvirt's table does not cover. */
function canonical(name: string): number | null {
  let m: RegExpExecArray | null;
  if (/^(0x[0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.test(name)) {
    const v = name.startsWith('0x') ? parseInt(name.slice(2), 16) : name.length > 1 && name.startsWith('0') ? parseInt(name, 8) : Number(name);
    return v <= INT_MAX ? v : null;
  }
  let disk: number;
  let part: number | null;
  if ((m = /^xvd([a-z]{1,5})([0-9]{1,3})?$/.exec(name))) {
    disk = diskIndex(m[1]!);
    part = partition(m[2]);
  } else if ((m = /^d([0-9]{1,7})p([0-9]{1,3})$/.exec(name))) {
    if (m[1]!.length > 1 && m[1]!.startsWith('0')) return null;
    disk = Number(m[1]);
    part = partition(m[2]);
  } else if ((m = /^hd([a-d])([0-9]{1,2})?$/.exec(name))) {
    const d = letter(m[1]!);
    const p = partition(m[2]);
    return p === null || p > 63 ? null : ((d < 2 ? 3 : 22) << 8) | ((d & 1) << 6) | p;
  } else if ((m = /^sd([a-p])([0-9]{1,2})?$/.exec(name))) {
    const p = partition(m[2]);
    return p === null || p > 15 ? null : (8 << 8) | (letter(m[1]!) << 4) | p;
  } else {
    return null;
  }
  if (part === null || part > 255 || disk > MAX_DISK) return null;
  return disk <= 15 && part <= 15 ? (XENVBD_MAJOR << 8) | (disk << 4) | part : EXTENDED | (disk << 8) | part;
}

/** libvirt's error for a name neither table accepts. */
function rangeError(name: string, domid: number | undefined): VirError {
  const suffix = domid === undefined ? '' : ` for domain ${domid}`;
  const range = name.startsWith('sd')
    ? 'sda[1-15] - sdiv[1-15]'
    : name.startsWith('hd')
      ? 'hda[1-63] - hdt[1-63]'
      : name.startsWith('xvd')
        ? 'xvda[1-15] - xvdiz[1-15]'
        : null;
  return invalidArg(range === null ? `unsupported path, use xvdN, hdN, or sdN${suffix}` : `invalid path, device names must be in the range ${range}${suffix}`);
}

/**
 * The Xen device number for a disk name ("xvda", "/dev/xvda1", "51712", "d2p3").
 * Throws a VirError with libvirt's text when the name has no number.
 */
export function xenDeviceNumber(path: string, domid?: number): number {
  const name = path.startsWith('/dev/') ? path.slice(5) : path.startsWith('ioemu:') ? path.slice(6) : path;
  const n = legacy(name) ?? canonical(name);
  if (n === null) throw rangeError(name, domid);
  return n;
}

/** The inverse (libxl__devid_to_vdev): a number back to its xvd name, for libvirt-less hosts. */
export function xenDeviceName(devnum: number): string | null {
  if (!Number.isInteger(devnum) || devnum < 0 || devnum > INT_MAX) return null;
  let disk: number;
  let part: number;
  if (devnum & EXTENDED) {
    if (devnum >= 2 * EXTENDED) return null;
    disk = (devnum & ~EXTENDED) >> 8;
    part = devnum & 0xff;
  } else {
    const major = devnum >> 8;
    const minor = devnum & 0xff;
    if (major === XENVBD_MAJOR) {
      disk = minor >> 4;
      part = minor & 15;
    } else if (major === 3 || major === 22) {
      return `hd${String.fromCharCode(97 + (major === 22 ? 2 : 0) + (minor >> 6))}${minor & 63 ? minor & 63 : ''}`;
    } else if (major === 8) {
      return `sd${String.fromCharCode(97 + (minor >> 4))}${minor & 15 ? minor & 15 : ''}`;
    } else {
      return null;
    }
  }
  let letters = '';
  for (let d = disk + 1; d > 0; d = Math.floor((d - 1) / 26)) letters = String.fromCharCode(97 + ((d - 1) % 26)) + letters;
  return `xvd${letters}${part ? part : ''}`;
}
