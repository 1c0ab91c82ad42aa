// A <disk type='block'> source (/dev/loop2, /dev/vg/lv) -> its MAJ:MIN -> /sys/dev/block/MAJ:MIN.
// On the live host the device node's own number is used; in a captured tree, where device nodes
// cannot exist, the kernel name (the last path component after resolving links inside the tree)
// is looked up in /sys/class/block/<name>/dev. Statistics paths are built from the two integers.

import { HostFs, isGone } from '../../host/hostfs.js';

export interface DevNumber {
  major: number;
  minor: number;
}

const KERNEL_NAME = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$/;

export function parseDevFile(text: string): DevNumber | null {
  const m = /^([0-9]{1,4}):([0-9]{1,7})\n?$/.exec(text);
  return m === null ? null : { major: Number(m[1]), minor: Number(m[2]) };
}

export function resolveBlockDevice(fs: HostFs, source: string): DevNumber | null {
  if (!source.startsWith('/')) return null;
  let resolved: string = source;
  try {
    const r = fs.realHostPath(source);
    if (!isGone(r)) {
      resolved = r;
      const dev = fs.blockDeviceNumber(r);
      if (dev !== null && !isGone(dev)) return dev;
    }
  } catch {
    // unreadable: fall through to the sysfs lookup by name
  }
  const name = resolved.slice(resolved.lastIndexOf('/') + 1);
  if (!KERNEL_NAME.test(name)) return null;
  try {
    const text = fs.readOnce(`/sys/class/block/${name}/dev`, 64);
    return isGone(text) ? null : parseDevFile(text);
  } catch {
    return null;
  }
}

export const sysDevBlock = (d: DevNumber) => `/sys/dev/block/${d.major}:${d.minor}`;

/**
 * The whole disk a block device belongs to: a partition's disk (sysfs: the partition's directory
 * lies in its disk's, beside the disk's own dev file), the device itself otherwise. cgroup I/O
 * counts a partition's I/O under its disk.
 */
export function wholeDisk(fs: HostFs, d: DevNumber): DevNumber | null {
  const dir = sysDevBlock(d);
  if (!fs.exists(`${dir}/partition`)) return d;
  try {
    const real = fs.realHostPath(dir);
    if (isGone(real)) return null;
    const text = fs.readOnce(`${real.slice(0, real.lastIndexOf('/'))}/dev`, 64);
    return isGone(text) ? null : parseDevFile(text);
  } catch {
    return null;
  }
}

/**
 * The host disk a domain's disk lives on, as the cgroup's I/O names it: a file-backed disk's file
 * system's device, a block-backed disk's device, each as its whole disk; null when it cannot be
 * told (a network disk, a file that is not there).
 */
export function hostDiskOf(fs: HostFs, disk: { type?: string | undefined; source?: string | undefined }): DevNumber | null {
  const src = disk.source;
  if (src === undefined || !src.startsWith('/')) return null;
  let dev: DevNumber | null = null;
  if (disk.type === 'block') dev = resolveBlockDevice(fs, src);
  else if (disk.type === 'file' || disk.type === undefined) {
    try {
      const d = fs.fileSystemDevice(src);
      dev = d === null || isGone(d) ? null : d;
    } catch {
      dev = null;
    }
  }
  return dev === null ? null : wholeDisk(fs, dev);
}
