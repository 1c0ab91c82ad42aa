// Opening the history database: a new file gets schema.sql and version 4 in WAL mode; files this
// domstat cannot use are refused with a clear message and left as they were; schema.sql is the
// column list rendered (the one definition stays whole), and every view reads in Debian's sqlite3.
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { openDatabase, SCHEMA_VERSION } from '../../src/store/db.js';
import { StoreError } from '../../src/store/errors.js';
import { execFileSync } from 'node:child_process';
import { readKeyMap } from '../../src/store/key-map.js';
import { KINDS } from '../../src/sample/row-map.js';
import { COLUMNS } from '../../src/store/columns.js';
import { schemaSql } from '../../src/store/layout.js';
import { tdir } from '../helpers/store.js';
import { REPO } from '../helpers/cli.js';

t.test('a new file gets schema version 4, WAL mode and incremental auto-vacuum', async (t) => {
  const file = path.join(tdir(t), 'new.db');
  t.notOk(fs.existsSync(file), 'no file before');
  const db = openDatabase(file);
  t.equal(SCHEMA_VERSION, 4);
  t.equal(db.pragma('user_version', { simple: true }), 4n, 'PRAGMA user_version');
  t.equal(db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").pluck().get(), '4', 'meta.schema_version');
  t.match(db.prepare("SELECT value FROM meta WHERE key = 'created'").pluck().get(), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/, 'meta.created is an ISO time');
  t.equal(db.pragma('journal_mode', { simple: true }), 'wal', 'WAL mode');
  t.equal(db.pragma('foreign_keys', { simple: true }), 1n, 'foreign keys enforced');
  t.equal(db.pragma('synchronous', { simple: true }), 1n, 'synchronous NORMAL');
  // Retention frees pages with incremental_vacuum, which does nothing unless auto_vacuum is 2.
  t.equal(db.pragma('auto_vacuum', { simple: true }), 2n, 'auto_vacuum INCREMENTAL');
  t.equal(db.prepare('SELECT count(*) FROM key_map').pluck().get(), BigInt(COLUMNS.length), 'key_map rows from schema.sql');
  db.close();

  // Opening again neither migrates nor changes anything.
  const again = openDatabase(file);
  t.equal(again.pragma('user_version', { simple: true }), 4n);
  t.equal(again.prepare('SELECT count(*) FROM meta').pluck().get(), 2n, 'meta: created and schema_version only');
  t.equal(again.pragma('auto_vacuum', { simple: true }), 2n);
  again.close();

  const ro = openDatabase(file, { readonly: true });
  t.equal(ro.readonly, true, 'readonly open of a domstat database');
  t.equal(ro.prepare('SELECT count(*) FROM tick').pluck().get(), 0n);
  ro.close();
});

t.test('a database of a newer schema version is refused', async (t) => {
  const file = path.join(tdir(t), 'future.db');
  openDatabase(file).close();
  const raw = new Database(file);
  raw.pragma('user_version = 5');
  raw.close();
  const msg = `${file}: schema version 5 is newer than this domstat understands (4); use a newer domstat`;
  t.throws(() => openDatabase(file), new StoreError(file, 'schema version 5 is newer than this domstat understands (4); use a newer domstat'), 'read-write');
  t.throws(() => openDatabase(file), { name: 'StoreError', message: msg });
  t.throws(() => openDatabase(file, { readonly: true }), { name: 'StoreError', message: msg }, 'readonly too');
  const check = new Database(file, { readonly: true });
  t.equal(check.pragma('user_version', { simple: true }), 5, 'left at version 5');
  check.close();
});

t.test("a SQLite file that is not domstat's is refused and left as it was", async (t) => {
  const file = path.join(tdir(t), 'other.db');
  const raw = new Database(file);
  raw.exec("CREATE TABLE accounts (id INTEGER PRIMARY KEY, owner TEXT); INSERT INTO accounts VALUES (1, 'ann')");
  t.equal(raw.pragma('journal_mode', { simple: true }), 'delete');
  raw.close();
  const before = fs.readFileSync(file);
  t.throws(() => openDatabase(file), { name: 'StoreError', message: `${file}: not a domstat database (it has tables but no domstat schema version)` });
  t.throws(() => openDatabase(file, { readonly: true }), { name: 'StoreError', message: `${file}: not a domstat database` }, 'readonly');
  t.ok(fs.readFileSync(file).equals(before), 'the file is byte for byte unchanged');
  t.notOk(fs.existsSync(file + '-wal'), 'no WAL file left beside it');
  const check = new Database(file, { readonly: true });
  t.equal(check.pragma('journal_mode', { simple: true }), 'delete', 'still in rollback-journal mode');
  t.strictSame(check.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").pluck().all(), ['accounts'], 'no domstat tables added');
  check.close();

  const text = path.join(tdir(t), 'notes.txt');
  fs.writeFileSync(text, 'this is not a database, just some notes that are long enough to have a header.\n'.repeat(4));
  const textBefore = fs.readFileSync(text);
  t.throws(() => openDatabase(text), { name: 'StoreError', message: `${text}: file is not a database` }, 'a text file');
  t.ok(fs.readFileSync(text).equals(textBefore), 'the text file is unchanged');
});

t.test('readonly open of a missing file is an error and creates nothing', async (t) => {
  const file = path.join(tdir(t), 'missing.db');
  t.throws(() => openDatabase(file, { readonly: true }), { name: 'StoreError', message: `${file}: no such database` });
  t.notOk(fs.existsSync(file), 'not created');
  const folder = tdir(t);
  for (const readonly of [true, false])
    t.throws(
      () => openDatabase(folder, { readonly }),
      { name: 'StoreError', message: `${folder}: not a database file (a directory)` },
      `a directory (readonly ${readonly})`,
    );
  const fifo = path.join(folder, 'fifo.db');
  execFileSync('mkfifo', [fifo]);
  t.throws(() => openDatabase(fifo, { readonly: true }), { message: `${fifo}: not a database file (not a regular file)` }, 'a FIFO, without blocking');
  const empty = path.join(tdir(t), 'empty.db');
  fs.writeFileSync(empty, '');
  t.throws(() => openDatabase(empty, { readonly: true }), { name: 'StoreError', message: `${empty}: not a domstat database` }, 'an empty file, readonly');
  t.equal(fs.statSync(empty).size, 0, 'still empty');
  const dir = path.join(tdir(t), 'nodir', 'x.db');
  t.throws(
    () => openDatabase(dir),
    { name: 'StoreError', message: `${dir}: Cannot open database because the directory does not exist` },
    'a missing directory',
  );
});

t.test('an empty file (e.g. made by touch) becomes a domstat database', async (t) => {
  const file = path.join(tdir(t), 'touched.db');
  fs.writeFileSync(file, '');
  const db = openDatabase(file);
  t.equal(db.pragma('user_version', { simple: true }), 4n);
  t.equal(db.pragma('auto_vacuum', { simple: true }), 2n);
  db.close();
});

t.test('schema.sql is the column list rendered: npm run schema leaves it unchanged', async (t) => {
  t.equal(
    fs.readFileSync(path.join(REPO, 'schema.sql'), 'utf8'),
    schemaSql(),
    'schema.sql is up to date (run npm run schema after changing src/store/columns.ts)',
  );
});

t.test('the key map: unique keys, indexed kinds use {i}, every scale divides what its sources give', async (t) => {
  const file = path.join(tdir(t), 'schema.db');
  const db = openDatabase(file);
  t.teardown(() => db.close());
  const map = readKeyMap(db);
  const keyRows = db.prepare('SELECT kind, col, key, type FROM key_map').all() as { kind: string; col: string; key: string; type: string }[];
  t.equal(new Set(keyRows.map((r) => r.key)).size, keyRows.length, 'key patterns are unique');
  t.equal(map.byPattern.size, keyRows.length, 'every pattern reachable from the key map');
  t.strictSame([...new Set(keyRows.map((r) => r.kind))].sort(), [...KINDS].sort(), 'key_map kinds are the seven kinds');
  for (const kind of KINDS) {
    const indexed = kind !== 'domain' && kind !== 'host';
    for (const c of map.columns[kind]) t.equal(c.key.includes('{i}'), indexed, `${kind}.${c.col}: key ${c.key} ${indexed ? 'has' : 'has no'} {i}`);
  }
  t.strictSame(
    map.columns.domain.map((c) => c.col),
    COLUMNS.filter((c) => c.kind === 'domain').map((c) => c.col),
    "a sample's values follow key_map.pos: the column list's order",
  );
  t.strictSame(
    db.prepare("SELECT key, scale, rollup FROM key_map WHERE scale > 1 OR rollup LIKE '%max' OR rollup LIKE '%min' ORDER BY kind, pos").raw().all(),
    [
      ['block.{i}.rd.bytes', 512n, 'sum max'],
      ['block.{i}.rd.times', 1_000_000n, 'sum'],
      ['block.{i}.wr.bytes', 512n, 'sum max'],
      ['block.{i}.wr.times', 1_000_000n, 'sum'],
      ['block.{i}.fl.times', 1_000_000n, 'sum'],
      ['cpu.time', 1n, 'sum max'],
      ['cpu.user', 1000n, 'sum'],
      ['cpu.system', 1000n, 'sum'],
      ['balloon.rss', 1n, 'mean max'],
      ...['cpu', 'memory', 'io'].flatMap((r) => [`pressure.${r}.some.time`, `pressure.${r}.full.time`].map((k) => [k, 1000n, 'sum'])),
      ['cgroup.memory.current', 1n, 'mean max'],
      ['cgroup.memory.swap', 1n, 'mean max'],
      ['host.cpu.user', 10_000_000n, 'sum'],
      ['host.cpu.nice', 10_000_000n, 'sum'],
      ['host.cpu.system', 10_000_000n, 'sum'],
      ['host.cpu.idle', 10_000_000n, 'sum'],
      ['host.cpu.iowait', 10_000_000n, 'sum'],
      ['host.cpu.irq', 10_000_000n, 'sum'],
      ['host.cpu.softirq', 10_000_000n, 'sum'],
      ['host.cpu.steal', 10_000_000n, 'sum'],
      ['host.mem.free', 1n, 'mean min'],
      ['host.mem.available', 1n, 'mean min'],
      ['host.mem.buffers', 1n, 'mean max'],
      ['host.mem.cached', 1n, 'mean max'],
      ['host.swap.free', 1n, 'mean min'],
      ['net.{i}.rx.bytes', 1n, 'sum max'],
      ['net.{i}.tx.bytes', 1n, 'sum max'],
      ['cgroup.numa.{i}.anon', 1n, 'mean max'],
      ['cgroup.numa.{i}.file', 1n, 'mean max'],
      ['vcpu.{i}.time', 10_000_000n, 'sum'],
    ],
    'scaled columns (whole clock ticks, ms, sectors, µs) and what rollups keep beyond the sum',
  );
});

t.test("every view reads in Debian's sqlite3 shell (the one an analyst has), on an empty database", async (t) => {
  const file = path.join(tdir(t), 'views.db');
  openDatabase(file).close();
  const views = new Database(file, { readonly: true }).prepare("SELECT name FROM sqlite_schema WHERE type = 'view' ORDER BY name").pluck().all() as string[];
  t.ok(views.length >= 26, `${views.length} views`);
  for (const v of views) {
    const out = execFileSync('sqlite3', [file, `SELECT count(*) FROM ${v}`], { encoding: 'utf8' });
    t.equal(out.trim(), '0', `sqlite3: SELECT count(*) FROM ${v}`);
  }
});

t.test("a writer's open gives a database this release's views; a reader's open changes nothing", async (t) => {
  const file = path.join(tdir(t), 'views.db');
  openDatabase(file).close();
  const viewSql = (name: string) => {
    const db = new Database(file, { readonly: true });
    try {
      return db.prepare('SELECT sql FROM sqlite_schema WHERE name = ?').pluck().get(name) as string;
    } finally {
      db.close();
    }
  };
  const fresh = viewSql('block_1m_rate');
  t.match(fresh, /CAST\(r\.bucket \* 1000 AS INTEGER\) AS ts/, 'rollup times are integers (comparable with strftime text)');
  // A database made by an earlier build of this version: one view as it was, one gone.
  const raw = new Database(file);
  raw.exec('DROP VIEW block_1m_rate; CREATE VIEW block_1m_rate AS SELECT 1 AS old; DROP VIEW net_rate');
  raw.close();
  openDatabase(file, { readonly: true }).close();
  t.equal(viewSql('block_1m_rate'), 'CREATE VIEW block_1m_rate AS SELECT 1 AS old', 'a read-only open leaves the file as it is');
  openDatabase(file).close();
  t.equal(viewSql('block_1m_rate'), fresh, 'the changed view is this release’s again');
  t.ok(viewSql('net_rate')?.startsWith('CREATE VIEW net_rate AS'), 'the missing view is back');
});
