// A host file read at most once per collection (a tick, or one command), whole: everyone who asks
// in that collection sees the same bytes. /proc/net/dev is read this way: every domain's
// interfaces and the host's are lines of it, and a domain sampled by its plan and one sampled by
// its driver in the same tick must see the same snapshot.

import { HostReadError, isGone, type Gone } from './host-errors.js';
import type { HostFs } from './hostfs.js';

export class FileSnapshot {
  private got: Buffer | Gone | HostReadError | undefined;

  constructor(
    private readonly fs: HostFs,
    readonly path: string,
    private readonly limit: number,
  ) {}

  /** The file's bytes (a copy of their own), or Gone; a read error is thrown, the same one each time. */
  bytes(): Buffer | Gone {
    if (this.got === undefined) {
      try {
        const n = this.fs.readBytes(this.path, this.limit);
        this.got = isGone(n) ? n : Buffer.from(this.fs.bytes.subarray(0, n));
      } catch (e) {
        if (!(e instanceof HostReadError)) throw e;
        this.got = e;
      }
    }
    if (this.got instanceof HostReadError) throw this.got;
    return this.got;
  }

  /** The bytes as text (latin1, as every host file is read), or Gone. */
  text(): string | Gone {
    const b = this.bytes();
    return isGone(b) ? b : b.toString('latin1');
  }
}
