// Kept descriptors: the agent reads the same kernel files every tick, and a pread on an open
// descriptor costs a third of open+read+close. This cache holds up to a budget of them, opened
// through HostFs (so only contained regular files are kept), hands out KeptFile handles that the
// sampling plans hold directly (no lookup by path per read), and closes them all when the
// inventory changes.
//
// A kept descriptor reads its inode forever, so it must notice when its file is replaced. Live
// /proc and /sys files never are (a file that goes away fails its reads: ENODEV, ESRCH). A tree
// under --root is ordinary files, and the usual safe update writes a new file and renames it over
// the old one (or deletes and creates it again, or moves its directory aside for a new one): there
// each read first checks that the path still leads to the descriptor's file (stat: the same device
// and inode) and reopens it by path when it does not. Still being linked is not enough: the old
// file may keep another name (a hard link made by a backup, a directory moved aside). The check
// costs a stat per read, as much again as the pread, so a tree whose files are rewritten in place
// can say so with a file named IN_PLACE_MARK at its root (the simulator writes one), and its
// descriptors are then read unchecked. A tree that says so and replaces files anyway only
// misleads itself: containment does not depend on it (a kept descriptor was contained when opened).

import * as fs from 'node:fs';
import type { Gone } from './host-errors.js';
import type { HostFs } from './hostfs.js';

/** A file without a descriptor (yet): read by path. */
export const unkept = (hostPath: string, replaceable: boolean): KeptFile => ({
  fd: -1,
  oneRead: isOneRead(hostPath),
  path: hostPath,
  size: -1,
  replaceable,
  dev: 0,
  ino: 0,
});

/** Kernel files whose descriptors can be kept open and re-read with pread at offset 0. */
const KEEPABLE = /^\/(proc|sys)\//;

/**
 * Kernel files whose whole content comes from the first read at offset 0: sysfs attributes (one
 * show() of at most a page per open) and single-record seq files (/proc/<pid>/stat, io, sched,
 * schedstat, /proc/stat, /proc/meminfo, a cgroup's cpu.stat, cpuacct.*, *.pressure, memory.*,
 * io.stat and blkio.*: each is one show() of the kernel's). For these a read that
 * returns less than it asked for is the end, and the read that would return 0 is skipped: half
 * the syscalls of a tick. Multi-record files (/proc/net/dev, cgroup.procs) still read to 0.
 */
const ONE_READ =
  /^\/sys\/(?!fs\/cgroup\/)|^\/sys\/fs\/cgroup\/.*\/(?:cpu\.stat|cpuacct\.[a-z_]+|(?:cpu|memory|io)\.pressure|memory\.[a-z_.]+|io\.stat|blkio\.[a-z_.]+)$|^\/proc\/(?:stat|meminfo|[0-9]+\/(?:task\/[0-9]+\/)?(?:stat|io|sched|schedstat))$/;

export const isKeepable = (hostPath: string): boolean => KEEPABLE.test(hostPath);
export const isOneRead = (hostPath: string): boolean => ONE_READ.test(hostPath);

/** A tree under --root whose files change in place only (never replaced): see above. */
export const IN_PLACE_MARK = '/.domstat-in-place';

/** A file read again and again through one descriptor; fd is -1 when it has none (read by path). */
export interface KeptFile {
  fd: number;
  readonly oneRead: boolean;
  readonly path: string;
  /** Bytes the last read through the descriptor returned (-1: none yet); sizes read-ahead buffers. */
  size: number;
  /** Its file may be replaced under the descriptor: check its path still leads to it before each read. */
  readonly replaceable: boolean;
  /** The device and inode the descriptor reads (replaceable files only; 0 otherwise). */
  dev: number;
  ino: number;
}

export class KeptFiles {
  /** The open descriptors by host path; every entry has fd >= 0. */
  private readonly files = new Map<string, KeptFile>();
  /** Descriptors kept at most. */
  max = 0;
  /** Files under this root may be replaced (see above); false on the live host and in-place trees. */
  readonly replaceable: boolean;

  constructor(private readonly host: HostFs) {
    this.replaceable = !host.live && !host.exists(IN_PLACE_MARK);
  }

  get openCount(): number {
    return this.files.size;
  }

  /** The kept file of a host path: opened now when within the budget, a kernel file, and readable. */
  keep(hostPath: string): KeptFile {
    const kept = this.files.get(hostPath);
    if (kept !== undefined) return kept;
    const k = unkept(hostPath, this.replaceable);
    if (this.files.size < this.max && isKeepable(hostPath)) {
      try {
        const fd = this.host.openFile(hostPath);
        if (typeof fd === 'number') {
          this.hold(k, fd);
          this.files.set(hostPath, k);
        }
      } catch {
        // read by path: the read reports what is wrong
      }
    }
    return k;
  }

  /** The file in the host's `bytes`: its length, or Gone. A descriptor that fails is closed and forgotten. */
  read(k: KeptFile, maxBytes: number): number | Gone {
    if (k.fd < 0) return this.host.readBytes(k.path, maxBytes);
    try {
      if (k.replaceable && this.replaced(k)) {
        const gone = this.reopen(k);
        if (gone !== null) return gone;
      }
      return (k.size = this.host.readFd(k.fd, k.path, maxBytes, k.oneRead));
    } catch (e) {
      if (k.fd >= 0) this.drop(k);
      return this.host.failure(k.path, e);
    }
  }

  /** Does the path lead elsewhere than the descriptor's file (or nowhere)? Only compared, never read: reopening goes through HostFs. */
  private replaced(k: KeptFile): boolean {
    try {
      const st = fs.statSync(this.host.real(k.path));
      return st.ino !== k.ino || st.dev !== k.dev;
    } catch {
      return true; // gone, or no longer a path: reopening says which
    }
  }

  /** k reads through fd from now on. */
  private hold(k: KeptFile, fd: number): void {
    k.fd = fd;
    k.size = -1;
    if (k.replaceable) ({ dev: k.dev, ino: k.ino } = fs.fstatSync(fd));
  }

  /**
   * The file was replaced: its descriptor now reads the new file (opened before the old one is
   * closed, so the number changes and no holder mistakes one for the other), or null; Gone when
   * there is no file now (it is then forgotten, and read by path until it is kept again).
   */
  private reopen(k: KeptFile): Gone | null {
    let fd: number | Gone;
    try {
      fd = this.host.openFile(k.path);
    } catch (e) {
      this.drop(k);
      throw e; // a HostReadError: the file is there and not readable (now a FIFO, say)
    }
    if (typeof fd !== 'number') {
      this.drop(k);
      return fd;
    }
    fs.closeSync(k.fd);
    this.hold(k, fd);
    return null;
  }

  private drop(k: KeptFile): void {
    if (this.files.get(k.path) === k) this.files.delete(k.path);
    try {
      fs.closeSync(k.fd);
    } catch {
      // already invalid
    }
    k.fd = -1;
  }

  /** Closes every descriptor (the inventory changed, or shutdown). */
  closeAll(): void {
    for (const k of this.files.values()) {
      try {
        fs.closeSync(k.fd);
      } catch {
        // already invalid
      }
      k.fd = -1; // whoever holds it reads by path from now on, never a reused descriptor number
    }
    this.files.clear();
  }
}
