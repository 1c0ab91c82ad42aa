// Schema versions 2 and 3 to this one, inside the caller's transaction. Each later version only
// added to version 2: version 3 the domain columns of domstat's cgroup groups, version 4 the
// cgroup_io and numa kinds (their tables, and the kinds in device's CHECK). Every tick stays as it
// was: missing tables are created and missing columns added (NULL before the version that brought
// them: not sampled), key_map is rewritten from schema.sql (existing columns keep their positions:
// new ones come after them), and the views, which list the columns, are made again.

import * as fs from 'node:fs';
import type { Db } from './db.js';
import { SCHEMA_FILE, SCHEMA_VERSION } from './db.js';
import { HISTORY_MARK } from './layout.js';

const VIEWS_MARK = '-- Views for plain SQL.';

/** The column definitions of a CREATE TABLE body ("name TYPE", comments and the key clause left out). */
function columnDefs(body: string): string[] {
  return body
    .replace(/--[^\n]*/g, '')
    .replace(/PRIMARY KEY \([^)]*\)/g, '')
    .split(',')
    .map((d) => d.trim())
    .filter((d) => d !== '');
}

/**
 * device's CHECK lists the kinds: a version that adds kinds makes the table again with this
 * schema's list (SQLite cannot alter a CHECK). Nothing references device by a foreign key, and
 * the ids are kept, so every row that names a device still does.
 */
export function widenDeviceKinds(db: Db, schema: string): boolean {
  const want = /CREATE TABLE device \([\s\S]*?\n\);/.exec(schema)?.[0];
  const have = db.prepare("SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'device'").pluck().get() as string;
  const kinds = (sql: string) => /kind IN \(([^)]*)\)/.exec(sql)?.[1];
  if (want === undefined || kinds(want) === kinds(have)) return false;
  // Views name device: out of the way while it is made again, then as they were.
  const views = db.prepare("SELECT name, sql FROM sqlite_schema WHERE type = 'view'").all() as { name: string; sql: string }[];
  for (const v of views) db.exec(`DROP VIEW "${v.name}"`);
  db.exec(want.replace('CREATE TABLE device (', 'CREATE TABLE device_new ('));
  db.exec('INSERT INTO device_new (id, domain_id, kind, idx, name, path) SELECT id, domain_id, kind, idx, name, path FROM device');
  db.exec('DROP TABLE device');
  db.exec('ALTER TABLE device_new RENAME TO device');
  for (const v of views) db.exec(v.sql);
  return true;
}

export function migrateAdditive(db: Db, from: number, say: (message: string) => void): void {
  const schema = fs.readFileSync(SCHEMA_FILE, 'utf8');
  for (const v of db.prepare("SELECT name FROM sqlite_schema WHERE type = 'view'").pluck().all() as string[]) db.exec(`DROP VIEW "${v}"`);
  widenDeviceKinds(db, schema);
  const history = schema.slice(schema.indexOf(HISTORY_MARK), schema.indexOf(VIEWS_MARK));
  let added = 0;
  let tables = 0;
  for (const m of history.matchAll(/CREATE TABLE (\w+) \(\n([\s\S]*?)\n\)( WITHOUT ROWID)?;/g)) {
    const [statement, table, body] = m as unknown as [string, string, string];
    const have = new Set((db.prepare(`SELECT name FROM pragma_table_info(?)`).pluck().all(table) as string[]).map(String));
    if (have.size === 0) {
      db.exec(statement);
      tables++;
      continue;
    }
    for (const def of columnDefs(body)) {
      const name = def.split(/\s+/)[0]!;
      // (a CHECK's list splits into pieces that name no column: those tables are unchanged)
      if (have.has(name) || !/^[a-z_][a-z0-9_]*$/.test(name)) continue;
      db.exec(`ALTER TABLE ${table} ADD COLUMN ${def}`);
      added++;
    }
  }
  db.exec('DELETE FROM key_map');
  for (const line of schema.split('\n')) if (line.startsWith('INSERT INTO key_map ')) db.exec(line);
  db.exec(schema.slice(schema.indexOf(VIEWS_MARK)));
  say(`history database migrated from schema version ${from} to ${SCHEMA_VERSION} (${tables} tables and ${added} columns added)`);
}
