// HostFs: every read of a host file goes through here. It prefixes --root and holds the tree like
// a chroot that refuses to be left, opens regular files only and never blocks, bounds every read
// (proc and sys files report sizes of 0 or 4096, so stat() is never trusted) and turns "the file
// is gone" into a value: a domain destroyed mid-read is an outcome, not an exception. Descriptors
// kept between ticks live in KeptFiles (kept-files.ts), reached through keep()/readKept().
//
// How a path is opened. First without opening the file itself: O_PATH gives a descriptor of
// whatever the path leads to, symlinks followed, and nothing of the file's own open (a FIFO's
// wait for a writer, a device driver's open) runs. Under --root, the descriptor's real path
// (/proc/self/fd/N) must lie inside the root: this is the file that will be read, so a tree that
// swaps a directory for a symlink between a check and an open cannot lead out (a path that does
// is Gone with EXDEV). Then fstat: anything but a regular file is refused (NotRegularFileError).
// Only then is it opened for reading, through /proc/self/fd/N: the same inode, not the path again.
// Stat-like calls (exists, isDir, stamp, realHostPath, blockDeviceNumber, readDir) take the same
// O_PATH descriptor under --root; on the live host (root '/') there is no containment to check and
// they stat the path as before.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { FileTooLargeError, Gone, HostPathError, HostReadError, isGone, NotRegularFileError, outcomeOf } from './host-errors.js';
import { isKeepable, isOneRead, KeptFiles, unkept, type KeptFile } from './kept-files.js';

export { FileTooLargeError, Gone, HostPathError, HostReadError, isGone, NotRegularFileError } from './host-errors.js';
export type { KeptFile } from './kept-files.js';

export const DEFAULT_MAX_READ = 1 << 20;

/** Linux's O_PATH (x86, arm, arm64, riscv, ...); Node does not export it. */
const O_PATH = 0o10000000;
const { O_RDONLY, O_NONBLOCK, O_DIRECTORY } = fs.constants;

/**
 * Host paths are absolute POSIX paths ("/proc/net/dev") without ".." or "." components, so a
 * caller cannot step outside the root by construction.
 */
export function checkHostPath(p: string): void {
  if (!p.startsWith('/')) throw new HostPathError(p, 'not absolute');
  if (p.includes('\0')) throw new HostPathError(p, 'a NUL byte');
  for (const part of p.split('/').slice(1)) {
    if (part === '..' || part === '.') throw new HostPathError(p, `a '${part}' component`);
  }
}

/** What a non-regular file is, for NotRegularFileError. */
function kindOf(st: fs.Stats): string {
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isDirectory()) return 'a directory';
  return 'an unknown file type';
}

const fdPath = (fd: number) => `/proc/self/fd/${fd}`;

export class HostFs {
  readonly root: string;
  /** True when reading the running host itself: statfs and device numbers are meaningful. */
  readonly live: boolean;
  /** The root with its own symlinks resolved, as /proc/self/fd shows paths (set at the first check). */
  private jail: string | undefined;
  private buf = Buffer.allocUnsafe(64 * 1024);
  private kept: KeptFiles | null = null;

  constructor(root = '/') {
    this.root = path.resolve(root);
    this.live = this.root === '/';
  }

  /**
   * Keep up to `max` descriptors of /proc and /sys files open (see KeptFiles): the sampler reads
   * the same files every tick. A file that disappears gives ENODEV/ESRCH on its descriptor, which
   * reads as Gone as usual.
   */
  keepOpen(max: number): void {
    (this.kept ??= new KeptFiles(this)).max = max;
  }

  /** Close every kept descriptor (the inventory changed, or shutdown). */
  closeAll(): void {
    this.kept?.closeAll();
  }

  get openCount(): number {
    return this.kept?.openCount ?? 0;
  }

  /**
   * A kernel file the caller will read every tick, its descriptor opened and kept now (within the
   * keepOpen() budget). Reading it through readKept() skips the lookup by path. Without a
   * descriptor (no budget, not /proc or /sys, missing now) it is read by path each time.
   */
  keep(hostPath: string): KeptFile {
    return this.kept?.keep(hostPath) ?? unkept(hostPath, false);
  }

  /** readBytes() of a kept file. */
  readKept(k: KeptFile, maxBytes = DEFAULT_MAX_READ): number | Gone {
    return this.kept === null || k.fd < 0 ? this.readBytes(k.path, maxBytes) : this.kept.read(k, maxBytes);
  }

  /** The real filesystem path of a host path under the root. */
  real(hostPath: string): string {
    checkHostPath(hostPath);
    return this.live ? hostPath : this.root + hostPath;
  }

  /** Reads a whole file as text with one bounded read loop; never stats. */
  readText(hostPath: string, maxBytes = DEFAULT_MAX_READ): string | Gone {
    const n = this.readBytes(hostPath, maxBytes);
    return isGone(n) ? n : this.buf.toString('latin1', 0, n);
  }

  /**
   * readText() for a file read once per inventory (a process's cgroup lines, a device's number or
   * name): its descriptor is not kept, so the budget goes to the files read every tick.
   */
  readOnce(hostPath: string, maxBytes = DEFAULT_MAX_READ): string | Gone {
    const n = this.readUnkept(hostPath, maxBytes);
    return isGone(n) ? n : this.buf.toString('latin1', 0, n);
  }

  /** The bytes of the last readBytes(), valid until the next read through this HostFs. */
  get bytes(): Buffer {
    return this.buf;
  }

  /**
   * readText() without the string: the file's length, its bytes left in `bytes`. The agent's
   * sampling plan parses numbers straight from them.
   */
  readBytes(hostPath: string, maxBytes = DEFAULT_MAX_READ): number | Gone {
    if (this.kept !== null && isKeepable(hostPath)) {
      const k = this.keep(hostPath);
      if (k.fd >= 0) return this.kept.read(k, maxBytes);
    }
    return this.readUnkept(hostPath, maxBytes);
  }

  /** Opens, reads and closes: the file's length, its bytes in `bytes`. */
  private readUnkept(hostPath: string, maxBytes: number): number | Gone {
    const fd = this.openFile(hostPath);
    if (isGone(fd)) return fd;
    try {
      return this.readFd(fd, hostPath, maxBytes);
    } catch (e) {
      return this.failure(hostPath, e);
    } finally {
      fs.closeSync(fd);
    }
  }

  /**
   * A descriptor of the host path's file opened for reading (the caller closes it), or Gone.
   * Throws NotRegularFileError for anything but a regular file, which is never opened for reading.
   */
  openFile(hostPath: string): number | Gone {
    const pinned = this.pin(hostPath);
    if (isGone(pinned)) return pinned;
    try {
      const st = fs.fstatSync(pinned);
      if (!st.isFile()) throw new NotRegularFileError(hostPath, kindOf(st));
      return fs.openSync(fdPath(pinned), O_RDONLY | O_NONBLOCK);
    } catch (e) {
      return this.failure(hostPath, e);
    } finally {
      fs.closeSync(pinned);
    }
  }

  /**
   * An O_PATH descriptor of what the host path leads to (the caller closes it), or Gone when it
   * does not exist or, under --root, lies outside the root (EXDEV). Nothing of the file is opened.
   */
  private pin(hostPath: string, flags = 0): number | Gone {
    const real = this.real(hostPath);
    let fd: number;
    try {
      fd = fs.openSync(real, O_PATH | flags);
    } catch (e) {
      return this.failure(hostPath, e);
    }
    if (this.live) return fd;
    let where: string;
    try {
      where = fs.readlinkSync(fdPath(fd));
    } catch {
      fs.closeSync(fd);
      throw new HostReadError(hostPath, 'ENOPROC', 'cannot tell where it leads: /proc/self/fd is not available (is /proc mounted?)');
    }
    if (!this.inside(where)) {
      fs.closeSync(fd);
      return new Gone(hostPath, 'EXDEV');
    }
    return fd;
  }

  /** A real path lies inside the root. */
  private inside(real: string): boolean {
    const jail = (this.jail ??= fs.realpathSync.native(this.root));
    return jail === '/' || real === jail || real.startsWith(jail + '/');
  }

  /** Runs `fn` on the pinned descriptor of a host path (closed after), or returns Gone. */
  private withPinned<T>(hostPath: string, flags: number, fn: (fd: number) => T): T | Gone {
    const pinned = this.pin(hostPath, flags);
    if (isGone(pinned)) return pinned;
    try {
      return fn(pinned);
    } catch (e) {
      return this.failure(hostPath, e);
    } finally {
      fs.closeSync(pinned);
    }
  }

  /** stat() of a host path (symlinks followed), or Gone. */
  private stat(hostPath: string): fs.Stats | Gone {
    if (!this.live) return this.withPinned(hostPath, 0, (fd) => fs.fstatSync(fd));
    try {
      return fs.statSync(this.real(hostPath));
    } catch (e) {
      return this.failure(hostPath, e);
    }
  }

  /**
   * Reads from an open descriptor at offset 0 (pread), so a kept descriptor re-reads fresh data.
   * With oneRead, a short read is the end (see kept-files.ts). Throws FileTooLargeError past maxBytes.
   */
  readFd(fd: number, hostPath: string, maxBytes: number, oneRead = isOneRead(hostPath)): number {
    let total = 0;
    for (;;) {
      if (total === this.buf.length) {
        if (this.buf.length >= maxBytes + 1) throw new FileTooLargeError(hostPath, maxBytes);
        const bigger = Buffer.allocUnsafe(Math.min(this.buf.length * 4, maxBytes + 1));
        this.buf.copy(bigger, 0, 0, total);
        this.buf = bigger;
      }
      const asked = this.buf.length - total;
      const n = fs.readSync(fd, this.buf, total, asked, total);
      if (n === 0) break;
      total += n;
      if (total > maxBytes) throw new FileTooLargeError(hostPath, maxBytes);
      if (n < asked && oneRead) break;
    }
    return total;
  }

  readDir(hostPath: string): string[] | Gone {
    if (!this.live) return this.withPinned(hostPath, O_DIRECTORY, (fd) => fs.readdirSync(fdPath(fd)));
    try {
      return fs.readdirSync(this.real(hostPath));
    } catch (e) {
      return this.failure(hostPath, e);
    }
  }

  /** File or directory exists (any type). */
  exists(hostPath: string): boolean {
    try {
      return !isGone(this.stat(hostPath));
    } catch {
      return false;
    }
  }

  isDir(hostPath: string): boolean {
    try {
      const st = this.stat(hostPath);
      return !isGone(st) && st.isDirectory();
    } catch {
      return false;
    }
  }

  /** A change stamp (inode, size, mtime) to tell whether a file was rewritten, or Gone. */
  stamp(hostPath: string): string | Gone {
    const st = this.stat(hostPath);
    return isGone(st) ? st : `${st.ino}:${st.size}:${st.mtimeMs}`;
  }

  /** Filesystem type magic of a mount point, only meaningful on the live host. */
  statfsType(hostPath: string): number | Gone {
    try {
      return fs.statfsSync(this.real(hostPath)).type;
    } catch (e) {
      return this.failure(hostPath, e);
    }
  }

  /**
   * Resolves symlinks inside the root and returns the host path (root stripped), or Gone. A
   * link that points outside the root is refused, so a captured tree cannot read the analyst's
   * own files.
   */
  realHostPath(hostPath: string): string | Gone {
    if (!this.live) return this.withPinned(hostPath, 0, (fd) => fs.readlinkSync(fdPath(fd)).slice(this.jail === '/' ? 0 : this.jail!.length) || '/');
    try {
      return fs.realpathSync.native(this.real(hostPath));
    } catch (e) {
      return this.failure(hostPath, e);
    }
  }

  /** The device number (major, minor) of a block device node, or Gone; null for anything else. */
  blockDeviceNumber(hostPath: string): { major: number; minor: number } | Gone | null {
    const st = this.stat(hostPath);
    if (isGone(st)) return st;
    return st.isBlockDevice() ? devNumber(st.rdev) : null;
  }

  /** The device number of the file system a regular file lives on (its st_dev), or Gone; null for anything else. */
  fileSystemDevice(hostPath: string): { major: number; minor: number } | Gone | null {
    const st = this.stat(hostPath);
    if (isGone(st)) return st;
    return st.isFile() ? devNumber(st.dev) : null;
  }

  /** An error from a file system call on hostPath: Gone when the object is gone, else thrown in domstat's words. */
  failure(hostPath: string, e: unknown): Gone {
    return outcomeOf(hostPath, e);
  }
}

/** Linux dev_t encoding (glibc gnu_dev_major/minor). */
function devNumber(dev: number): { major: number; minor: number } {
  const d = BigInt(dev);
  return { major: Number(((d >> 8n) & 0xfffn) | ((d >> 32n) & ~0xfffn)), minor: Number((d & 0xffn) | ((d >> 12n) & ~0xffn)) };
}
