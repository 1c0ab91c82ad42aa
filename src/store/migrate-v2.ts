// Schema version 2 to version 3, inside the caller's transaction: version 3 adds the domain
// columns of domstat's cgroup groups (pressure, cgroup memory, CPU throttling). Every tick stays
// as it was: the new columns are added to the existing tables (NULL before this version: not
// sampled), key_map is rewritten from schema.sql (existing columns keep their positions: the new
// ones come after them), and the views, which list the columns, are made again.

import * as fs from 'node:fs';
import type { Db } from './db.js';
import { SCHEMA_FILE } from './db.js';
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

export function migrateFromV2(db: Db, say: (message: string) => void): void {
  const schema = fs.readFileSync(SCHEMA_FILE, 'utf8');
  for (const v of db.prepare("SELECT name FROM sqlite_schema WHERE type = 'view'").pluck().all() as string[]) db.exec(`DROP VIEW "${v}"`);
  const history = schema.slice(schema.indexOf(HISTORY_MARK), schema.indexOf(VIEWS_MARK));
  let added = 0;
  for (const m of history.matchAll(/CREATE TABLE (\w+) \(\n([\s\S]*?)\n\)( WITHOUT ROWID)?;/g)) {
    const [statement, table, body] = m as unknown as [string, string, string];
    const have = new Set((db.prepare(`SELECT name FROM pragma_table_info(?)`).pluck().all(table) as string[]).map(String));
    if (have.size === 0) {
      db.exec(statement);
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
  say(`history database migrated to schema version 3 (${added} columns added)`);
}
