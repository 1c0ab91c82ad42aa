// A failure to write the history database in domstat's words: which file, and why in words an
// operator acts on ("read-only file system", "permission denied"), not SQLite's or node's bare
// codes. SQLite says little about why a file could not be written (SQLITE_READONLY, "unable to
// open database file"), so the file and its directory are asked (access(2)) for the reason.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { StoreError } from './errors.js';

const ERRNO_WORDS: Record<string, string> = {
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EIO: 'input/output error',
  ENOTDIR: 'a part of its path is not a directory',
};

/** SQLite codes that come from the file or its directory: the file system says why. */
const FILE_CODES = /^SQLITE_(READONLY|CANTOPEN|IOERR|PERM|AUTH)/;

export class StoreWriteError extends StoreError {
  constructor(file: string, reason: string, options?: { cause: unknown }) {
    super(file, reason, options);
    this.message = `cannot write ${file}: ${reason}`;
    this.name = 'StoreWriteError';
  }
}

const codeOf = (e: unknown): string | null =>
  typeof e === 'object' && e !== null && 'code' in e && typeof (e as { code: unknown }).code === 'string' ? (e as { code: string }).code : null;

/** Why the database (or a file beside it) cannot be written, as the file system says; null when it can. */
function fileSystemReason(dbFile: string): string | null {
  const dir = path.dirname(path.resolve(dbFile));
  const targets = [dbFile, `${dbFile}-wal`, `${dbFile}-shm`, `${dbFile}.lock`].filter((f) => fs.existsSync(f));
  for (const f of [...targets, dir]) {
    try {
      fs.accessSync(f, fs.constants.W_OK);
    } catch (e) {
      const code = codeOf(e);
      if (code === 'ENOENT' && f === dir) return `no such directory: ${dir}`;
      if (code !== null && ERRNO_WORDS[code] !== undefined) return ERRNO_WORDS[code]!;
    }
  }
  // Writable, but nothing left to write with (SQLite says SQLITE_IOERR_SHMSIZE, say, for a -shm
  // file it cannot grow).
  try {
    const st = fs.statfsSync(dir);
    if ((process.getuid?.() === 0 ? st.bfree : st.bavail) === 0) return ERRNO_WORDS.ENOSPC!; // root may use the reserved blocks
  } catch {
    // no answer: SQLite's words stand
  }
  return null;
}

/**
 * The error to report for `e`, thrown while writing (or creating) `dbFile`. A full disk keeps
 * SQLite's own words ("database or disk is full": they say it); errors that are not about the
 * file are returned as they are.
 */
export function writeFailure(dbFile: string, e: unknown): unknown {
  if (e instanceof StoreWriteError) return e;
  // openDatabase's StoreError carries SQLite's error as its cause.
  const inner = e instanceof StoreError && e.cause !== undefined ? e.cause : e;
  const code = codeOf(inner);
  const dir = path.dirname(path.resolve(dbFile));
  // better-sqlite3 checks the directory itself, and says so in a TypeError without a code.
  if (code === null && inner instanceof Error && /directory does not exist/.test(inner.message))
    return new StoreWriteError(dbFile, `no such directory: ${dir}`, { cause: e });
  if (code === null || code.startsWith('SQLITE_FULL')) return e;
  if (ERRNO_WORDS[code] !== undefined) return new StoreWriteError(dbFile, ERRNO_WORDS[code]!, { cause: e });
  if (code === 'ENOENT') return new StoreWriteError(dbFile, `no such directory: ${dir}`, { cause: e });
  if (!FILE_CODES.test(code)) return e;
  const why = fileSystemReason(dbFile);
  const said = inner instanceof Error ? inner.message : String(inner);
  return new StoreWriteError(dbFile, why ?? `${said} (SQLite: ${code})`, { cause: e });
}
