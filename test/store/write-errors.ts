// Write failures in domstat's words: the file and the reason (read-only file system, permission
// denied, no such directory), never a bare SQLite or node code; a full disk keeps SQLite's own
// words; at start-up through the CLI, and on a tick through the agent's log. The read-only file
// system is a real one (a tmpfs remounted read-only) where this test may mount; skipped elsewhere.
import t, { type Test } from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { StoreWriteError, writeFailure } from '../../src/store/write-errors.js';
import { HistoryStore } from '../../src/store/store.js';
import type { Db } from '../../src/store/db.js';
import { StoreError } from '../../src/store/errors.js';
import { Agent } from '../../src/agent/agent.js';
import { runCli } from '../helpers/cli.js';
import { capture, copyTree, FakeClocks, tdir, XEN } from '../helpers/store.js';

t.test('writeFailure: words for codes', async (t) => {
  const file = path.join(tdir(t), 'x.db');
  const err = (code: string, message = 'boom') => Object.assign(new Error(message), { code });
  t.equal((writeFailure(file, err('EROFS')) as Error).message, `cannot write ${file}: read-only file system`);
  t.equal((writeFailure(file, err('EACCES')) as Error).message, `cannot write ${file}: permission denied`);
  t.equal((writeFailure(file, err('ENOSPC')) as Error).message, `cannot write ${file}: no space left on the device`);
  t.equal((writeFailure(path.join(file, 'y.db'), err('ENOENT')) as Error).message, `cannot write ${file}/y.db: no such directory: ${file}`);
  t.equal(
    (writeFailure(file, err('SQLITE_IOERR_WRITE', 'disk I/O error')) as Error).message,
    `cannot write ${file}: disk I/O error (SQLite: SQLITE_IOERR_WRITE)`,
    'SQLite’s words with their code, when the file system has nothing to say',
  );
  const full = err('SQLITE_FULL', 'database or disk is full');
  t.equal(writeFailure(file, full), full, 'a full disk: SQLite’s own words');
  const other = new RangeError('not about files');
  t.equal(writeFailure(file, other), other, 'anything else: as it was');
  const wrapped = new StoreError(file, 'unable to open database file', { cause: err('SQLITE_CANTOPEN', 'unable to open database file') });
  t.type(writeFailure(file, wrapped), StoreWriteError, 'a StoreError’s SQLite cause is looked at');
  t.equal(
    (writeFailure(path.join(tdir(t), 'no', 'x.db'), new TypeError('Cannot open database because the directory does not exist')) as Error).message,
    `cannot write ${tdir(t)}/no/x.db: no such directory: ${tdir(t)}/no`,
  );
});

t.test('a tick the database refuses: the reason in the log, in domstat’s words', async (t) => {
  const root = copyTree(t);
  const dbFile = path.join(tdir(t), 'agent.db');
  const io = capture();
  const clocks = new FakeClocks(Date.parse('2026-01-05T10:00:00Z'));
  const agent = new Agent({ root, dbFile, intervalMs: 1000, quiet: true, io, clocks });
  await agent.open();
  t.teardown(() => agent.close());
  t.equal(agent.tick().ok, true);
  // The connection made read-only under the agent (what SQLite says for a file it cannot write).
  (agent as unknown as { store: { db: Db } }).store.db.pragma('query_only = ON');
  clocks.advance(1000);
  t.equal(agent.tick().ok, false, 'the tick is not stored');
  t.strictSame(
    io.errLines().filter((l) => l.startsWith('store:')),
    [`store: tick not written: cannot write ${dbFile}: attempt to write a readonly database (SQLite: SQLITE_READONLY)`],
  );
});

/** A tmpfs of `size` mounted for the test (unmounted after), or null, the test then planned empty: mounting needs root. */
function tmpfs(t: Test, name: string, size: string): string | null {
  const dir = path.join(tdir(t), name);
  fs.mkdirSync(dir);
  const mount = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { encoding: 'utf8' });
  if (mount.status !== 0) {
    t.plan(0, `cannot mount a tmpfs here (${(mount.stderr || String(mount.error)).trim()}): needs root and CAP_SYS_ADMIN`);
    return null;
  }
  t.teardown(() => void spawnSync('umount', [dir]));
  return dir;
}

t.test('a read-only file system', async (t) => {
  const dir = tmpfs(t, 'ro', '8m');
  if (dir === null) return;
  const dbFile = path.join(dir, 'domstat.db');
  HistoryStore.open(dbFile).close();
  const ro = spawnSync('mount', ['-o', 'remount,ro', dir], { encoding: 'utf8' });
  t.equal(ro.status, 0, `remounted read-only ${ro.stderr}`);
  t.throws(() => HistoryStore.open(dbFile), { name: 'StoreWriteError', message: `cannot write ${dbFile}: read-only file system` }, 'an existing database');
  t.throws(() => HistoryStore.open(path.join(dir, 'new.db')), { message: `cannot write ${dir}/new.db: read-only file system` }, 'a new one');
  const cli = await runCli(['agent', '--root', XEN, '--db', dbFile]);
  t.strictSame(cli, { code: 1, out: '', err: `error: cannot write ${dbFile}: read-only file system\n` }, 'the agent says so and stops');
});

t.test('a full disk at start: the file system says so', async (t) => {
  const dir = tmpfs(t, 'full', '1m');
  if (dir === null) return;
  const dbFile = path.join(dir, 'domstat.db');
  HistoryStore.open(dbFile).close(); // made while there was room
  // Fill it to the last block.
  const fd = fs.openSync(path.join(dir, 'filler'), 'w');
  const block = Buffer.alloc(64 * 1024);
  try {
    for (;;) fs.writeSync(fd, block);
  } catch (e) {
    t.equal((e as NodeJS.ErrnoException).code, 'ENOSPC', 'filled');
  } finally {
    fs.closeSync(fd);
  }
  const cli = await runCli(['agent', '--root', XEN, '--db', dbFile]);
  t.equal(cli.code, 1);
  t.match(
    cli.err,
    new RegExp(`^error: (cannot write ${dbFile}: no space left on the device|database or disk is full)\\n$`),
    `said in words an operator acts on: ${cli.err}`,
  );
});
