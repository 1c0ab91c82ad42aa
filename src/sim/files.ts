// Writing the simulated host tree. Counter files are updated IN PLACE: the agent keeps /proc and
// /sys descriptors open and re-reads them with pread at offset 0, so a file must keep its inode.
// A counter file is opened once, rewritten with a positional write at offset 0 and truncated only
// when the new text is shorter; it is never replaced by a rename. Descriptors beyond a budget are
// opened for each write (still the same inode) so huge trees stay within the process's limit.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { UsageError } from '../common/errors.js';

export class CounterFile {
  /** Open descriptor, or -1 when this file is beyond the descriptor budget. */
  fd = -1;
  /** The text last written (a write with the same text is skipped). */
  text = '';

  constructor(readonly real: string) {}
}

/** Soft limit on open files of this process (Linux /proc/self/limits), or null if unknown. */
export function openFileLimit(): number | null {
  try {
    const m = /^Max open files\s+(\d+)/m.exec(fs.readFileSync('/proc/self/limits', 'latin1'));
    return m === null ? null : Number(m[1]);
  } catch {
    return null;
  }
}

export class TreeWriter {
  private readonly files: CounterFile[] = [];
  private readonly madeDirs = new Set<string>();
  private kept = 0;
  /** Writes done (and skipped as unchanged) by update() since creation. */
  writes = 0;
  skipped = 0;

  constructor(
    readonly root: string,
    /** Descriptors kept open at most. */
    readonly maxOpen: number,
  ) {}

  get fileCount(): number {
    return this.files.length;
  }

  get openCount(): number {
    return this.kept;
  }

  private real(rel: string): string {
    if (rel.startsWith('/') || rel.split('/').some((p) => p === '..' || p === '.' || p === '')) throw new UsageError(`bad tree path ${rel}`);
    return path.join(this.root, rel);
  }

  mkdir(rel: string): void {
    const dir = rel === '.' ? this.root : this.real(rel);
    if (this.madeDirs.has(dir)) return;
    fs.mkdirSync(dir, { recursive: true });
    this.madeDirs.add(dir);
  }

  /** A file that never changes (XML, device numbers, static attributes). */
  static(rel: string, text: string): void {
    const real = this.real(rel);
    this.mkdir(path.dirname(rel));
    fs.writeFileSync(real, text, 'latin1');
  }

  /** A relative symlink inside the tree (like /dev/vg/lv -> ../dm-3). */
  symlink(rel: string, target: string): void {
    const real = this.real(rel);
    this.mkdir(path.dirname(rel));
    fs.symlinkSync(target, real);
  }

  /** Creates a counter file with its first contents; later writes go through update(). */
  counter(rel: string, text: string): CounterFile {
    const real = this.real(rel);
    this.mkdir(path.dirname(rel));
    const f = new CounterFile(real);
    const fd = fs.openSync(real, 'w');
    fs.writeSync(fd, text, 0, 'latin1');
    if (this.kept < this.maxOpen) {
      f.fd = fd;
      this.kept++;
    } else {
      fs.closeSync(fd);
    }
    f.text = text;
    this.files.push(f);
    return f;
  }

  /** Rewrites a counter file in place: pwrite at offset 0, then truncate if it got shorter. */
  update(f: CounterFile, text: string): void {
    if (text === f.text) {
      this.skipped++;
      return;
    }
    const fd = f.fd >= 0 ? f.fd : fs.openSync(f.real, 'r+');
    try {
      fs.writeSync(fd, text, 0, 'latin1');
      // ASCII only, so the string length is the byte length.
      if (text.length < f.text.length) fs.ftruncateSync(fd, text.length);
    } finally {
      if (f.fd < 0) fs.closeSync(fd);
    }
    f.text = text;
    this.writes++;
  }

  close(): void {
    for (const f of this.files) {
      if (f.fd >= 0) {
        try {
          fs.closeSync(f.fd);
        } catch {
          // already closed
        }
        f.fd = -1;
      }
    }
    this.kept = 0;
  }
}
