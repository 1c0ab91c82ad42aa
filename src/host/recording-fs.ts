// A HostFs that remembers every host path that was read or found to exist, so `domstat capture`
// can pack exactly the files domstat reads into a tree that --root reads back.

import { HostFs, isGone, type Gone } from './hostfs.js';

export class RecordingHostFs extends HostFs {
  /** Path -> the text of its first read: the capture is the snapshot that was actually used. */
  readonly files = new Map<string, string>();
  readonly dirs = new Set<string>();

  override readText(hostPath: string, maxBytes?: number): string | Gone {
    const r = super.readText(hostPath, maxBytes);
    if (!isGone(r) && !this.files.has(hostPath)) this.files.set(hostPath, r);
    return r;
  }

  override readOnce(hostPath: string, maxBytes?: number): string | Gone {
    const r = super.readOnce(hostPath, maxBytes);
    if (!isGone(r) && !this.files.has(hostPath)) this.files.set(hostPath, r);
    return r;
  }

  /** Directory -> the names it listed: some entries matter by name alone (Xen's vif-D-N). */
  readonly listings = new Map<string, string[]>();

  override readDir(hostPath: string): string[] | Gone {
    const r = super.readDir(hostPath);
    if (!isGone(r)) {
      this.dirs.add(hostPath);
      this.listings.set(hostPath, r);
    }
    return r;
  }

  override isDir(hostPath: string): boolean {
    const r = super.isDir(hostPath);
    if (r) this.dirs.add(hostPath);
    return r;
  }

  override exists(hostPath: string): boolean {
    const r = super.exists(hostPath);
    if (r) {
      if (super.isDir(hostPath)) this.dirs.add(hostPath);
      else {
        try {
          this.readText(hostPath);
        } catch {
          // there, but not a file domstat reads (a FIFO, too large): not packed
        }
      }
    }
    return r;
  }
}
