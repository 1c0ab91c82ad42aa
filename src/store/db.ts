// Opening the history database: schema.sql creates it, user_version records the schema version,
// and older versions migrate forward. WAL lets readers (domstat history, sqlite3) read while the
// agent writes, each seeing whole ticks only.

import Database from 'better-sqlite3';
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { migrateFromV1 } from './migrate-v1.js';
import { migrateAdditive, widenDeviceKinds } from './migrate-add.js';
import { InternalError, messageOf } from '../common/errors.js';
import { StoreError } from './errors.js';

export type Db = Database.Database;

export const SCHEMA_VERSION = 4;
/** Page cache per connection, KiB. */
const PAGE_CACHE_KIB = 2000;
export const SCHEMA_FILE = fileURLToPath(new URL('../../schema.sql', import.meta.url));

export interface OpenOptions {
  readonly?: boolean;
  /** SQLite busy timeout: how long a writer waits for a lock before failing the tick. */
  busyTimeoutMs?: number;
  /** Told how a migration goes (a long one is worth a word). */
  onMigrate?: (message: string) => void;
}

export function openDatabase(file: string, opts: OpenOptions = {}): Db {
  if (opts.readonly && !fs.existsSync(file)) throw new StoreError(file, 'no such database');
  // SQLite says "disk I/O error" for a directory (and would wait on a FIFO): say what it is.
  const st = fs.statSync(file, { throwIfNoEntry: false });
  if (st !== undefined && !st.isFile()) throw new StoreError(file, `not a database file (${st.isDirectory() ? 'a directory' : 'not a regular file'})`);
  let db: Db;
  try {
    db = new Database(file, { readonly: !!opts.readonly, timeout: opts.busyTimeoutMs ?? 5000 });
  } catch (e) {
    throw new StoreError(file, messageOf(e), { cause: e });
  }
  try {
    db.defaultSafeIntegers(true);
    // SQLite's own default page cache (2 MB): better-sqlite3 builds it with 16 MB, which an agent
    // fills with pages no tick reads again (a tick appends a few pages at the right edge of each
    // table; a minute's rollups touch a page per block row, more than any cache holds at scale).
    db.pragma(`cache_size = -${PAGE_CACHE_KIB}`);
    // Check what the file is before changing anything in it: a refused file is left as it was.
    const version = Number(db.pragma('user_version', { simple: true }) as bigint);
    if (version > SCHEMA_VERSION)
      throw new StoreError(file, `schema version ${version} is newer than this domstat understands (${SCHEMA_VERSION}); use a newer domstat`);
    if (version < SCHEMA_VERSION && opts.readonly) {
      throw new StoreError(file, version === 0 ? 'not a domstat database' : `schema version ${version} needs migrating: open it once with the agent`);
    }
    if (version === 0 && !isEmpty(db)) throw new StoreError(file, 'not a domstat database (it has tables but no domstat schema version)');
    if (!opts.readonly) {
      // auto_vacuum can only be chosen before the first page is written, and switching to WAL
      // writes it: on a new file, choose it first.
      if ((db.pragma('page_count', { simple: true }) as bigint) === 0n) db.pragma('auto_vacuum = INCREMENTAL');
      db.pragma('journal_mode = WAL');
      // NORMAL in WAL: a commit survives a crash of domstat itself; a power loss may roll back
      // the last ticks but never corrupts the file (see README, "Durability").
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
    }
    if (version < SCHEMA_VERSION) migrate(db, version, opts.onMigrate);
    if (!opts.readonly) refreshViews(db);
    return db;
  } catch (e) {
    db.close();
    throw e instanceof StoreError ? e : new StoreError(file, messageOf(e), { cause: e });
  }
}

const isEmpty = (db: Db) => (db.prepare("SELECT count(*) FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%'").pluck().get() as bigint) === 0n;

/**
 * Views hold no data, so a database of this version gets this release's views when a writer opens
 * it: a view fixed in a release (a column's affinity, a rate's formula) reaches databases made
 * before it without a schema version of its own.
 */
function refreshViews(db: Db): void {
  const wanted = fs
    .readFileSync(SCHEMA_FILE, 'utf8')
    .split(/;\s*\n/)
    .map((s) =>
      s
        .replace(/^(\s*--.*\n)*/, '')
        .trim()
        .replace(/;$/, ''),
    )
    .filter((s) => s.startsWith('CREATE VIEW '));
  const have = db.prepare("SELECT name, sql FROM sqlite_schema WHERE type = 'view'").all() as { name: string; sql: string }[];
  const same = have.length === wanted.length && have.every((v) => wanted.includes(v.sql));
  if (same) return;
  db.transaction(() => {
    for (const v of have) db.exec(`DROP VIEW "${v.name.replaceAll('"', '""')}"`);
    for (const sql of wanted) db.exec(sql);
  })();
}

/** Brings a database of an older version (0: a new file) to SCHEMA_VERSION, all in one transaction. */
function migrate(db: Db, from: number, onMigrate?: (message: string) => void): void {
  db.transaction(() => {
    if (from === 0) {
      db.pragma('auto_vacuum = INCREMENTAL');
      db.exec(fs.readFileSync(SCHEMA_FILE, 'utf8'));
      db.prepare("INSERT INTO meta (key, value) VALUES ('created', ?)").run(new Date().toISOString());
    } else if (from === 1) {
      // schema.sql is this version's: version 1's ticks are written straight into it (device,
      // kept from version 1, gets this version's kinds)
      migrateFromV1(db, onMigrate ?? (() => {}));
      widenDeviceKinds(db, fs.readFileSync(SCHEMA_FILE, 'utf8'));
    } else if (from === 2 || from === 3) {
      migrateAdditive(db, from, onMigrate ?? (() => {}));
    } else {
      throw new InternalError(`no migration from schema version ${from}`);
    }
    db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)").run(String(SCHEMA_VERSION));
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  })();
}
