// What a read of a host file can come to besides its bytes: Gone (the object no longer exists: an
// outcome, not an exception) or an error in domstat's words. Messages name the host path only
// (/proc/net/dev), never the real path under --root, and never the text of a Node error.

import * as util from 'node:util';
import { DomstatError } from '../common/errors.js';

/** errno codes that mean the object (device, process, cgroup) no longer exists. */
export const GONE_CODES: ReadonlySet<string> = new Set(['ENOENT', 'ENODEV', 'ESRCH', 'ENXIO', 'ENOTDIR']);

export class Gone {
  readonly gone = true as const;
  constructor(
    readonly path: string,
    /** Why: one of GONE_CODES, or EXDEV for a path that leads out of the root. */
    readonly code: string,
  ) {}
}

export function isGone(v: unknown): v is Gone {
  return v instanceof Gone;
}

export class HostReadError extends DomstatError {
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

/** A FIFO, socket, device node or directory where a file was to be read: refused, never opened for reading. */
export class NotRegularFileError extends HostReadError {
  constructor(
    p: string,
    /** "a FIFO", "a socket", "a character device", "a block device", "a directory" */
    readonly kind: string,
  ) {
    super(p, 'ENOTREG', `not a regular file (${kind})`);
    this.name = 'NotRegularFileError';
  }
}

/** A host path that is not absolute and plain (see checkHostPath): a caller's bug or a hostile input. */
export class HostPathError extends DomstatError {
  readonly code = 'HOST_PATH' as const;
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super(`not a plain host path (${reason}): ${JSON.stringify(path)}`);
    this.name = 'HostPathError';
  }
}

export function errnoOf(e: unknown): string {
  return typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : 'EUNKNOWN';
}

let descriptions: Map<string, string> | undefined;

/** The system's text for an errno code ("permission denied (EACCES)"), without any path. */
export function describeErrno(code: string): string {
  descriptions ??= new Map([...util.getSystemErrorMap().values()].map(([name, text]) => [name, text]));
  const text = descriptions.get(code);
  return text === undefined ? `error ${code}` : `${text} (${code})`;
}

/** strerror()'s way of saying it, as libvirt's system errors quote it ("No such file or directory"). */
export function strerror(code: string): string {
  descriptions ??= new Map([...util.getSystemErrorMap().values()].map(([name, text]) => [name, text]));
  const text = descriptions.get(code);
  return text === undefined ? `Unknown error ${code}` : text[0]!.toUpperCase() + text.slice(1);
}

/** An error from a file system call on hostPath as an outcome: Gone, or a HostReadError thrown. */
export function outcomeOf(hostPath: string, e: unknown): Gone {
  if (e instanceof HostReadError) throw e;
  const code = errnoOf(e);
  if (GONE_CODES.has(code)) return new Gone(hostPath, code);
  throw new HostReadError(hostPath, code, describeErrno(code));
}
