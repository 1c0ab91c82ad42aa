// HostFs: every read of a host file goes through here. It prefixes --root, bounds every read
// (proc and sys files report sizes of 0 or 4096, so stat() is never trusted) and turns "the file
// is gone" into a value: a domain destroyed mid-read is an outcome, not an exception.

import * as fs from 'node:fs';
import * as path from 'node:path';

/** errno codes that mean the object (device, process, cgroup) no longer exists. */
const GONE_CODES = new Set(['ENOENT', 'ENODEV', 'ESRCH', 'ENXIO', 'ENOTDIR']);

export const DEFAULT_MAX_READ = 1 << 20;

export class Gone {
  readonly gone = true as const;
  constructor(
    readonly path: string,
    readonly code: string,
  ) {}
}

export function isGone(v: unknown): v is Gone {
  return v instanceof Gone;
}

export class HostReadError extends Error {
  readonly code = 'READ' as const;
  constructor(
    readonly path: string,
    readonly errno: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
    this.name = 'HostReadError';
  }
}

export class FileTooLargeError extends HostReadError {
  constructor(p: string, limit: number) {
    super(p, 'EFBIG', `file larger than ${limit} bytes`);
    this.name = 'FileTooLargeError';
  }
}

function errnoOf(e: unknown): string {
  return typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : 'EUNKNOWN';
}

/**
 * Host paths are absolute POSIX paths ("/proc/net/dev"). They must be normalised: no "..", no
 * "." and no empty components, so a caller cannot step outside the root by construction.
 */
export function checkHostPath(p: string): void {
  if (!p.startsWith('/') || p.includes('\0')) throw new Error(`not an absolute host path: ${JSON.stringify(p)}`);
  for (const part of p.split('/').slice(1)) {
    if (part === '..' || part === '.') throw new Error(`host path with '${part}': ${JSON.stringify(p)}`);
  }
}

/** Kernel files whose descriptors can be kept open and re-read with pread at offset 0. */
const KEEPABLE = /^\/(proc|sys)\//;

/**
 * Kernel files whose whole content comes from the first read at offset 0: sysfs attributes (one
 * show() of at most a page per open) and single-record seq files (/proc/<pid>/stat, io, sched,
 * schedstat, /proc/stat, /proc/meminfo, a cgroup's cpu.stat and cpuacct.*). For these a read that
 * returns less than it asked for is the end, and the read that would return 0 is skipped: half
 * the syscalls of a tick. Multi-record files (/proc/net/dev, cgroup.procs) still read to 0.
 */
const ONE_READ =
  /^\/sys\/(?!fs\/cgroup\/)|^\/sys\/fs\/cgroup\/.*\/(?:cpu\.stat|cpuacct\.[a-z_]+)$|^\/proc\/(?:stat|meminfo|[0-9]+\/(?:task\/[0-9]+\/)?(?:stat|io|sched|schedstat))$/;

/** A file read again and again through one descriptor (see HostFs.keep); fd is -1 when it has none. */
export interface KeptFile {
  fd: number;
  readonly oneRead: boolean;
  readonly path: string;
  /** Bytes the last read through the descriptor returned (-1: none yet); sizes read-ahead buffers. */
  size: number;
}

export class HostFs {
  readonly root: string;
  /** True when reading the running host itself: statfs and device numbers are meaningful. */
  readonly live: boolean;
  private buf = Buffer.allocUnsafe(64 * 1024);
  /** Open descriptors of kernel files, kept between reads when keepOpen() was called. */
  private fds: Map<string, KeptFile> | null = null;
  private maxOpen = 0;

  constructor(root = '/') {
    this.root = path.resolve(root);
    this.live = this.root === '/';
  }

  /**
   * Keep up to `max` descriptors of /proc and /sys files open: the sampler reads the same files
   * every tick, and a pread on an open descriptor costs a third of open+read+close. A file that
   * disappears gives ENODEV/ESRCH on its descriptor, which reads as Gone as usual.
   */
  keepOpen(max: number): void {
    this.fds ??= new Map();
    this.maxOpen = max;
  }

  /** Close every kept descriptor (the inventory changed, or shutdown). */
  closeAll(): void {
    if (this.fds === null) return;
    for (const k of this.fds.values()) {
      try {
        fs.closeSync(k.fd);
      } catch {
        // already invalid
      }
      k.fd = -1; // whoever holds it reads by path from now on, never a reused descriptor number
    }
    this.fds.clear();
  }

  get openCount(): number {
    return this.fds?.size ?? 0;
  }

  /** The real filesystem path of a host path under the root. */
  real(hostPath: string): string {
    checkHostPath(hostPath);
    return this.live ? hostPath : this.root + hostPath;
  }

  /**
   * The real path to open, or Gone when it does not exist or a symlink inside a captured tree
   * leads out of it (an absolute link like var/run -> /run would otherwise read the analyst's own
   * /run): a tree under --root is read like a chroot that refuses to be left.
   */
  private contained(hostPath: string): string | Gone {
    const real = this.real(hostPath);
    if (this.live) return real;
    let resolved: string;
    try {
      resolved = fs.realpathSync.native(real);
    } catch (e) {
      return this.failure(hostPath, e);
    }
    return resolved === this.root || resolved.startsWith(this.root + '/') ? resolved : new Gone(hostPath, 'EXDEV');
  }

  /** Reads a whole file as text with one bounded read loop; never stats. */
  readText(hostPath: string, maxBytes = DEFAULT_MAX_READ): string | Gone {
    const n = this.readBytes(hostPath, maxBytes);
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
    if (this.fds !== null && KEEPABLE.test(hostPath)) {
      const k = this.keep(hostPath);
      if (k.fd >= 0) return this.readKept(k, maxBytes);
    }
    const real = this.contained(hostPath);
    if (isGone(real)) return real;
    let fd: number;
    try {
      fd = fs.openSync(real, 'r');
    } catch (e) {
      return this.failure(hostPath, e);
    }
    try {
      return this.readFd(fd, hostPath, maxBytes);
    } catch (e) {
      return this.failure(hostPath, e);
    } finally {
      fs.closeSync(fd);
    }
  }

  /**
   * A kernel file the caller will read every tick, its descriptor opened and kept now (within the
   * keepOpen() budget). Reading it through readKept() skips the lookup by path. Without a
   * descriptor (no budget, not /proc or /sys, missing now) it is read by path each time.
   */
  keep(hostPath: string): KeptFile {
    const kept = this.fds?.get(hostPath);
    if (kept !== undefined) return kept;
    if (this.fds !== null && this.fds.size < this.maxOpen && KEEPABLE.test(hostPath)) {
      const real = this.contained(hostPath);
      if (!isGone(real)) {
        try {
          const k = { fd: fs.openSync(real, 'r'), oneRead: ONE_READ.test(hostPath), path: hostPath, size: -1 };
          this.fds.set(hostPath, k);
          return k;
        } catch {
          // read by path: the read reports what is wrong
        }
      }
    }
    return { fd: -1, oneRead: ONE_READ.test(hostPath), path: hostPath, size: -1 };
  }

  /** readBytes() of a kept file. A descriptor that fails is closed and forgotten (the file went away). */
  readKept(k: KeptFile, maxBytes = DEFAULT_MAX_READ): number | Gone {
    if (k.fd < 0) return this.readBytes(k.path, maxBytes);
    try {
      return (k.size = this.readFd(k.fd, k.path, maxBytes, k.oneRead));
    } catch (e) {
      if (this.fds?.get(k.path) === k) this.fds.delete(k.path);
      fs.closeSync(k.fd);
      k.fd = -1;
      return this.failure(k.path, e);
    }
  }

  /**
   * Reads from an open descriptor at offset 0 (pread), so a kept descriptor re-reads fresh data.
   * With oneRead, a short read is the end (see ONE_READ).
   */
  private readFd(fd: number, hostPath: string, maxBytes: number, oneRead = ONE_READ.test(hostPath)): number {
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
    const real = this.contained(hostPath);
    if (isGone(real)) return real;
    try {
      return fs.readdirSync(real);
    } catch (e) {
      return this.failure(hostPath, e);
    }
  }

  /** File or directory exists (any type). */
  exists(hostPath: string): boolean {
    try {
      return !isGone(this.contained(hostPath));
    } catch {
      return false;
    }
  }

  isDir(hostPath: string): boolean {
    try {
      const real = this.contained(hostPath);
      return !isGone(real) && fs.statSync(real).isDirectory();
    } catch {
      return false;
    }
  }

  /** A change stamp (inode, size, mtime) to tell whether a file was rewritten, or Gone. */
  stamp(hostPath: string): string | Gone {
    const real = this.contained(hostPath);
    if (isGone(real)) return real;
    try {
      const st = fs.statSync(real);
      return `${st.ino}:${st.size}:${st.mtimeMs}`;
    } catch (e) {
      return this.failure(hostPath, e);
    }
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
    let r: string;
    try {
      r = fs.realpathSync.native(this.real(hostPath));
    } catch (e) {
      return this.failure(hostPath, e);
    }
    if (this.live) return r;
    if (r !== this.root && !r.startsWith(this.root + '/')) return new Gone(hostPath, 'EXDEV');
    return r.slice(this.root.length) || '/';
  }

  /** The device number (major, minor) of a block device node, or Gone. */
  blockDeviceNumber(hostPath: string): { major: number; minor: number } | Gone | null {
    try {
      const st = fs.statSync(this.real(hostPath));
      if (!st.isBlockDevice()) return null;
      // Linux dev_t encoding (glibc gnu_dev_major/minor).
      const rdev = BigInt(st.rdev);
      const major = Number(((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & ~0xfffn));
      const minor = Number((rdev & 0xffn) | ((rdev >> 12n) & ~0xffn));
      return { major, minor };
    } catch (e) {
      return this.failure(hostPath, e);
    }
  }

  private failure(hostPath: string, e: unknown): Gone {
    if (e instanceof HostReadError) throw e;
    const code = errnoOf(e);
    if (GONE_CODES.has(code)) return new Gone(hostPath, code);
    throw new HostReadError(hostPath, code, e instanceof Error ? e.message : String(e));
  }
}
