// Opening the history database: a new file gets schema.sql and version 1 in WAL mode; files this
// domstat cannot use are refused with a clear message and left as they were; and schema.sql's
// key_map agrees with every sample table, rollup table and view (the one definition stays whole).
import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { openDatabase, SCHEMA_VERSION, StoreError } from '../../src/store/db.js';
import { KINDS, readKeyMap } from '../../src/store/key-map.js';
import { rollupColumns } from '../../src/store/rollup.js';
import { tdir } from '../helpers/store.js';

const info = (db: Database.Database, table: string) =>
  db.prepare(`PRAGMA table_info(${table})`).all() as { name: string; type: string; notnull: number | bigint; pk: number | bigint }[];

t.test('a new file gets schema version 1, WAL mode and incremental auto-vacuum', async (t) => {
  const file = path.join(tdir(t), 'new.db');
  t.notOk(fs.existsSync(file), 'no file before');
  const db = openDatabase(file);
  t.equal(SCHEMA_VERSION, 1);
  t.equal(db.pragma('user_version', { simple: true }), 1n, 'PRAGMA user_version');
  t.equal(db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").pluck().get(), '1', 'meta.schema_version');
  t.match(db.prepare("SELECT value FROM meta WHERE key = 'created'").pluck().get(), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/, 'meta.created is an ISO time');
  t.equal(db.pragma('journal_mode', { simple: true }), 'wal', 'WAL mode');
  t.equal(db.pragma('foreign_keys', { simple: true }), 1n, 'foreign keys enforced');
  t.equal(db.pragma('synchronous', { simple: true }), 1n, 'synchronous NORMAL');
  // Retention frees pages with incremental_vacuum, which does nothing unless auto_vacuum is 2.
  t.equal(db.pragma('auto_vacuum', { simple: true }), 2n, 'auto_vacuum INCREMENTAL');
  t.equal(db.prepare('SELECT count(*) FROM key_map').pluck().get(), 58n, 'key_map rows from schema.sql');
  db.close();

  // Opening again neither migrates nor changes anything.
  const again = openDatabase(file);
  t.equal(again.pragma('user_version', { simple: true }), 1n);
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
  raw.pragma('user_version = 2');
  raw.close();
  const msg = `${file}: schema version 2 is newer than this domstat understands (1); use a newer domstat`;
  t.throws(() => openDatabase(file), new StoreError(file, 'schema version 2 is newer than this domstat understands (1); use a newer domstat'), 'read-write');
  t.throws(() => openDatabase(file), { name: 'StoreError', message: msg });
  t.throws(() => openDatabase(file, { readonly: true }), { name: 'StoreError', message: msg }, 'readonly too');
  const check = new Database(file, { readonly: true });
  t.equal(check.pragma('user_version', { simple: true }), 2, 'left at version 2');
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
  t.equal(db.pragma('user_version', { simple: true }), 1n);
  t.equal(db.pragma('auto_vacuum', { simple: true }), 2n);
  db.close();
});

t.test('schema.sql: key_map covers every sample column, every rollup column exists, and the views agree', async (t) => {
  const file = path.join(tdir(t), 'schema.db');
  const db = openDatabase(file);
  t.teardown(() => db.close());
  const map = readKeyMap(db);
  const keyRows = db.prepare('SELECT kind, col, key, type FROM key_map').all() as { kind: string; col: string; key: string; type: string }[];
  t.equal(new Set(keyRows.map((r) => r.key)).size, keyRows.length, 'key patterns are unique');
  t.equal(map.byPattern.size, keyRows.length, 'every pattern reachable from the key map');
  t.strictSame([...new Set(keyRows.map((r) => r.kind))].sort(), [...KINDS].sort(), 'key_map kinds are the five kinds');
  const counts: Record<string, number> = {};
  for (const k of KINDS) counts[k] = map.columns[k].length;
  t.strictSame(counts, { domain: 18, host: 15, vcpu: 4, net: 8, block: 13 }, 'columns per kind');

  for (const kind of KINDS) {
    const cols = map.columns[kind];
    const indexed = kind === 'vcpu' || kind === 'net' || kind === 'block';
    for (const c of cols) t.equal(c.key.includes('{i}'), indexed, `${kind}.${c.col}: key ${c.key} ${indexed ? 'has' : 'has no'} {i}`);

    // <kind>_sample: tick_id, device_id, dt_ms, then exactly the key_map columns, all INTEGER.
    const sample = info(db, `${kind}_sample`);
    t.strictSame(
      sample.slice(0, 3).map((c) => c.name),
      ['tick_id', 'device_id', 'dt_ms'],
      `${kind}_sample leading columns`,
    );
    t.strictSame(
      sample
        .slice(3)
        .map((c) => c.name)
        .sort(),
      cols.map((c) => c.col).sort(),
      `${kind}_sample columns = key_map columns`,
    );
    t.strictSame([...new Set(sample.map((c) => c.type))], ['INTEGER'], `${kind}_sample: all INTEGER`);
    t.strictSame(
      sample.filter((c) => Number(c.pk) > 0).map((c) => c.name),
      ['tick_id', 'device_id'],
      `${kind}_sample primary key`,
    );

    // <kind>_1m and _1h: exactly rollupColumns(), with their types.
    const want = rollupColumns(cols);
    const typeOf = (name: string): string => {
      if (name === 'bucket' || name === 'device_id' || name === 'n') return 'INTEGER';
      if (name === 'secs') return 'REAL';
      const c = cols.find((x) => name.startsWith(x.col + '_') && ['sum', 'min', 'max', 'mean', 'last'].includes(name.slice(x.col.length + 1)))!;
      const part = name.slice(c.col.length + 1);
      if (c.type === 'counter') return part === 'min' || part === 'max' ? 'REAL' : 'INTEGER';
      return part === 'mean' ? 'REAL' : 'INTEGER';
    };
    for (const tier of ['1m', '1h']) {
      const got = info(db, `${kind}_${tier}`);
      t.strictSame(
        got.slice(0, 4).map((c) => c.name),
        ['bucket', 'device_id', 'n', 'secs'],
        `${kind}_${tier} leading columns`,
      );
      t.strictSame(got.map((c) => c.name).sort(), [...want].sort(), `${kind}_${tier} columns = rollupColumns`);
      t.strictSame(got.map((c) => `${c.name} ${c.type}`).sort(), want.map((n) => `${n} ${typeOf(n)}`).sort(), `${kind}_${tier} column types`);
    }

    // Views: <kind>_rate has every counter, <kind>_value every column.
    const counters = cols.filter((c) => c.type === 'counter').map((c) => c.col);
    const rate = info(db, `${kind}_rate`).map((c) => c.name);
    t.strictSame(rate.slice(0, 5), ['ts', 'domain', 'device', 'idx', 'dt_ms'], `${kind}_rate leading columns`);
    t.strictSame(rate.slice(5).sort(), counters.sort(), `${kind}_rate: one column per counter`);
    const value = info(db, `${kind}_value`).map((c) => c.name);
    t.strictSame(value.slice(0, 4), ['ts', 'domain', 'device', 'idx'], `${kind}_value leading columns`);
    t.strictSame(value.slice(4).sort(), cols.map((c) => c.col).sort(), `${kind}_value: one column per key_map column`);
  }
  const tables = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").pluck().all();
  t.strictSame(
    tables,
    [
      'block_1h',
      'block_1m',
      'block_sample',
      'device',
      'domain',
      'domain_1h',
      'domain_1m',
      'domain_sample',
      'host_1h',
      'host_1m',
      'host_sample',
      'key_map',
      'meta',
      'net_1h',
      'net_1m',
      'net_sample',
      'tick',
      'vcpu_1h',
      'vcpu_1m',
      'vcpu_sample',
    ],
    'the tables of schema.sql',
  );
});
