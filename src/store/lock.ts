// One writer per database. The agent holds an exclusive SQLite lock on <db>.lock for as long as it
// runs: the lock is the kernel's (POSIX advisory locks), so it goes with the process, and a
// killed agent never leaves a lock behind. Who holds it is written into the database's meta
// table, for the message a second agent gives. Readers never touch the lock.

import Database from 'better-sqlite3';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { StoreError } from './errors.js';
import { writeFailure } from './write-errors.js';
import { messageOf } from '../common/errors.js';
import { identityAt, sameFile, type FileIdentity } from './file-identity.js';

export interface WriterInfo {
  pid: number;
  host: string;
  started: string;
}

/**
 * The lock beside the database's real path: a symlink to it, or another relative path, is the same
 * database and must meet the same lock. (A hard link under another name is not caught: no path
 * leads from one name to the other.)
 */
export function lockFileOf(dbFile: string): string {
  const abs = path.resolve(dbFile);
  try {
    return `${fs.realpathSync(abs)}.lock`;
  } catch {
    // Not there yet: its directory's real path (which the database will be opened in) and its name.
    try {
      return `${path.join(fs.realpathSync(path.dirname(abs)), path.basename(abs))}.lock`;
    } catch {
      return `${abs}.lock`; // no directory either: opening says why
    }
  }
}

/**
 * An exclusive lock on `file` (an SQLite file in exclusive locking mode, made if missing) held by
 * the returned connection until it closes, or 'busy' when another process holds it. Throws what
 * SQLite throws when the file cannot be made or locked for another reason.
 */
export function takeLock(file: string): { conn: Database.Database; identity: FileIdentity } | 'busy' {
  const conn = new Database(file, { timeout: 0 });
  try {
    conn.pragma('journal_mode = MEMORY');
    conn.pragma('locking_mode = EXCLUSIVE');
    // The first write in exclusive locking mode takes the lock, and the connection keeps it.
    conn.exec('CREATE TABLE IF NOT EXISTS writer (pid INTEGER, host TEXT, started TEXT)');
    conn.exec('BEGIN EXCLUSIVE; DELETE FROM writer; COMMIT');
    conn.prepare('INSERT INTO writer VALUES (?, ?, ?)').run(process.pid, os.hostname(), new Date().toISOString());
    return { conn, identity: identityAt(file)! }; // just made
  } catch (e) {
    conn.close();
    if (typeof e === 'object' && e !== null && 'code' in e && String((e as { code: unknown }).code).startsWith('SQLITE_BUSY')) return 'busy';
    throw e;
  }
}

/** How long a refused agent waits for the lock's holder to name itself (it does once its database is open). */
export const HOLDER_WAIT_MS = 2000;

/**
 * The holder the database names, once it names a live process: the agent that just took the lock
 * writes itself into meta only after opening (and perhaps migrating) the database, and until then
 * meta holds nothing or a killed agent's pid, which must not be named. null when none comes.
 */
function liveHolder(holder: () => WriterInfo | null): WriterInfo | null {
  const until = performance.now() + HOLDER_WAIT_MS;
  for (;;) {
    const h = holder();
    if (h !== null && (h.host !== os.hostname() || alive(h.pid))) return h;
    if (performance.now() >= until) return null;
    Atomics.wait(PAUSE, 0, 0, 50);
  }
}

const PAUSE = new Int32Array(new SharedArrayBuffer(4));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // there, but not ours to signal
  }
}

export class WriterLock {
  private constructor(
    private readonly conn: Database.Database,
    readonly file: string,
    private readonly identity: FileIdentity,
  ) {}

  /** Takes the lock, or throws a StoreError naming the agent that has it (from `holder()`). */
  static acquire(dbFile: string, holder: () => WriterInfo | null): WriterLock {
    const file = lockFileOf(dbFile);
    let got: ReturnType<typeof takeLock>;
    try {
      got = takeLock(file);
    } catch (e) {
      // The lock lives beside the database: why it cannot be taken is why the database cannot be written.
      const w = writeFailure(dbFile, e);
      throw w !== e ? w : new StoreError(file, `cannot take the writer lock: ${messageOf(e)}`, { cause: e });
    }
    if (got === 'busy') {
      const h = liveHolder(holder);
      const who = h === null ? 'another process' : `another domstat agent (pid ${h.pid} on ${h.host}, started ${h.started})`;
      throw new StoreError(dbFile, `${who} is writing to this database; only one agent can write to a database (history and sqlite3 can still read it)`);
    }
    return new WriterLock(got.conn, file, got.identity);
  }

  /**
   * The lock file is no longer at its path (deleted, say by someone clearing what looks like a
   * stale lock, or replaced): a second agent would take a new one there and write too.
   */
  lost(): boolean {
    return !sameFile(this.file, this.identity);
  }

  release(): void {
    if (this.conn.open) this.conn.close();
  }
}
