// The serving thread's own read-only connection to the history database: WAL readers never block
// the agent's writes. Opened when first needed (the agent may not have created the file yet), kept
// open between requests, and opened again when the file at the path is no longer the one it has
// (the agent goes on with a new database when its file is deleted or replaced).

import { openDatabase, type Db } from '../store/db.js';
import { StoreError } from '../store/errors.js';
import { identityAt, sameIdentity, type FileIdentity } from '../store/file-identity.js';

export class ReadOnlyStore {
  private db: Db | null = null;
  private identity: FileIdentity | null = null;
  /**
   * The file the agent writes, as its latest tick says (null: not known, any will do). Another
   * file at the path (a backup just renamed over the database, a new one after a deletion) is not
   * opened until the agent has taken it up: opened first, its connection would share SQLite's view
   * of the old database's WAL with the agent's in this process, and every write would fail.
   */
  private expected: FileIdentity | null = null;
  /** Why the database could not be opened the last time it was tried (null: it is open, or was never tried). */
  problem: string | null = null;

  constructor(readonly file: string) {}

  expect(file: FileIdentity | null): void {
    this.expected = file;
  }

  /** The database at the path now, or null when there is none that can be read (see problem). */
  get(): Db | null {
    const now = identityAt(this.file);
    if (now === null) {
      this.close();
      this.problem = `no database at ${this.file} yet`;
      return null;
    }
    if (this.db !== null && !sameIdentity(this.identity, now)) this.close();
    if (this.expected !== null && !sameIdentity(this.expected, now)) {
      this.problem = `${this.file} was replaced; waiting for the agent to take up the file now there`;
      return null;
    }
    if (this.db === null) {
      try {
        this.db = openDatabase(this.file, { readonly: true });
        this.identity = now;
        this.problem = null;
      } catch (e) {
        if (!(e instanceof StoreError)) throw e;
        this.problem = e.message;
        return null;
      }
    }
    return this.db;
  }

  close(): void {
    if (this.db?.open) this.db.close();
    this.db = null;
    this.identity = null;
  }
}
