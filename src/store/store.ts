// The agent's history store: the writer lock, the database (created or migrated), the writer with
// its state recovered from what is stored, and retention. It also notices when the database file
// it writes is deleted or replaced under it (writing on an unlinked file loses everything).

import * as fs from 'node:fs';
import * as os from 'node:os';
import { openDatabase, type Db } from './db.js';
import { StoreError } from './errors.js';
import { WriterLock, type WriterInfo } from './lock.js';
import { HistoryWriter, type TickInput, type TickResult } from './writer.js';
import { DEFAULT_RETENTION, Retention, type ClockStep, type RetentionPolicy } from './retention.js';
import { activeSeries } from './stats.js';
import { writeFailure } from './write-errors.js';
import { identityAt, sameFile, sameIdentity, type FileIdentity } from './file-identity.js';
import { bytesPerBucket, project } from './projection.js';

export interface StoreOptions {
  retention?: RetentionPolicy;
  /** Messages worth an operator's attention (a migration, the cap cutting a tier). */
  report?: (message: string) => void;
  /** The agent's interval: what the configuration needs is projected at it when the cap cuts. */
  intervalMs?: number;
}

const WRITER_KEY = 'writer';

export class HistoryStore {
  readonly db: Db;
  readonly writer: HistoryWriter;
  readonly retention: Retention;
  /** The database file as opened. */
  readonly identity: FileIdentity;
  /**
   * The WAL and shared-memory files of the database as opened. When the database is deleted or
   * replaced, SQLite closes without checkpointing (its file has moved) and leaves them at the path,
   * where the next database opened there would take the old WAL's pages for its own: they are
   * removed, if they are still these files.
   */
  private readonly sidecars: { path: string; id: FileIdentity }[];

  private constructor(
    readonly file: string,
    private readonly lock: WriterLock,
    db: Db,
    opts: StoreOptions,
  ) {
    this.db = db;
    this.writer = new HistoryWriter(db);
    this.writer.recover();
    const policy = opts.retention ?? DEFAULT_RETENTION;
    const intervalS = (opts.intervalMs ?? 10_000) / 1000;
    this.retention = new Retention(db, policy, {
      ...(opts.report !== undefined ? { report: opts.report } : {}),
      needs: () => {
        const series = activeSeries(db);
        return series === 0 ? null : project({ series, intervalS, retention: policy }, bytesPerBucket(intervalS)).total;
      },
    });
    this.identity = identityAt(file)!; // just opened
    this.sidecars = ['-wal', '-shm'].flatMap((suffix) => {
      const id = identityAt(file + suffix);
      return id === null ? [] : [{ path: file + suffix, id }];
    });
  }

  /** Takes the writer lock (or names who has it), then opens, migrates and recovers. */
  static open(file: string, opts: StoreOptions = {}): HistoryStore {
    const lock = WriterLock.acquire(file, () => readWriter(file));
    let db: Db | undefined;
    try {
      try {
        db = openDatabase(file, { ...(opts.report !== undefined ? { onMigrate: opts.report } : {}) });
      } catch (e) {
        throw writeFailure(file, e);
      }
      const me: WriterInfo = { pid: process.pid, host: os.hostname(), started: new Date().toISOString() };
      db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run(WRITER_KEY, JSON.stringify(me));
      return new HistoryStore(file, lock, db, opts);
    } catch (e) {
      db?.close();
      lock.release();
      throw e;
    }
  }

  write(tick: TickInput): TickResult {
    try {
      const r = this.writer.write(tick);
      if (!this.walGone) this.walGone = this.walLost();
      if (this.walGone) this.db.pragma('wal_checkpoint(PASSIVE)');
      return r;
    } catch (e) {
      throw writeFailure(this.file, e);
    }
  }

  /** A step forward of the wall clock the agent came to believe: retention ages what came before it by the history's own time. */
  addClockStep(step: ClockStep): void {
    this.retention.addClockStep(step);
  }

  meta(key: string): string | null {
    return (this.db.prepare('SELECT value FROM meta WHERE key = ?').pluck().get(key) as string | undefined) ?? null;
  }

  setMeta(key: string, value: string): void {
    this.db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run(key, value);
  }

  /** Whether the file at the path is still the database this store writes: 'deleted', 'replaced' or null. */
  fileChanged(): 'deleted' | 'replaced' | null {
    const now = identityAt(this.file);
    if (now === null) return 'deleted';
    return sameIdentity(now, this.identity) ? null : 'replaced';
  }

  /** The WAL was found deleted (see walLost): every write is then checkpointed, until the store is closed. */
  walGone = false;

  /**
   * The WAL was deleted (or replaced) under the agent: SQLite goes on writing into the unlinked
   * file, and a kill -9 would lose every tick since the last checkpoint, so each tick is then
   * checkpointed into the database (SQLite reads the WAL through its descriptor). Reopening to get
   * a new WAL is no cure: the serving thread's connection in this process shares SQLite's view of
   * the old one, and the reopened writer then fails every write.
   */
  private walLost(): boolean {
    const wal = this.sidecars.find((f) => f.path.endsWith('-wal'));
    return wal !== undefined && !sameFile(wal.path, wal.id);
  }

  /** The writer lock's file was deleted or replaced: the lock no longer keeps a second agent out. */
  lockLost(): boolean {
    return this.lock.lost();
  }

  /** Writes the open rollup buckets (a later start rebuilds and replaces them), then lets go of the file. */
  close(): void {
    const moved = this.fileChanged() !== null;
    // With its lock lost another agent may be writing now: its buckets and its name in meta stay.
    const mine = !moved && !this.lock.lost();
    try {
      if (this.db.open && mine) {
        this.writer.flushOpen();
        this.db.prepare('DELETE FROM meta WHERE key = ?').run(WRITER_KEY);
      }
    } finally {
      if (this.db.open) this.db.close();
      if (moved) this.removeSidecars();
      this.lock.release();
    }
  }

  private removeSidecars(): void {
    for (const f of this.sidecars) if (sameFile(f.path, f.id)) fs.rmSync(f.path, { force: true });
  }
}

/** Who wrote the database last (the agent that holds its lock, when there is one). */
function readWriter(file: string): WriterInfo | null {
  try {
    const db = openDatabase(file, { readonly: true });
    try {
      const v = db.prepare('SELECT value FROM meta WHERE key = ?').pluck().get(WRITER_KEY) as string | undefined;
      return v === undefined ? null : (JSON.parse(v) as WriterInfo);
    } finally {
      db.close();
    }
  } catch (e) {
    if (e instanceof StoreError || e instanceof SyntaxError) return null;
    throw e;
  }
}
