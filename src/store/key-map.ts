// The key_map table of schema.sql, read back: which domstats key lives in which column of which
// kind's tables. The writer and the history reader both work from it, so schema.sql stays the one
// definition of what is stored.

import type { Db } from './db.js';

export type Kind = 'domain' | 'host' | 'vcpu' | 'net' | 'block';
export const KINDS: readonly Kind[] = ['domain', 'host', 'vcpu', 'net', 'block'];

export interface Column {
  kind: Kind;
  col: string;
  /** Key pattern, "{i}" standing for the device index. */
  key: string;
  type: 'counter' | 'gauge';
  unit: string;
  origin: 'libvirt' | 'domstat';
}

export interface KeyMap {
  columns: Record<Kind, Column[]>;
  /** Pattern ("net.{i}.rx.bytes") -> column and its position in the kind's column list. */
  byPattern: Map<string, { column: Column; pos: number }>;
}

export function readKeyMap(db: Db): KeyMap {
  const rows = db.prepare('SELECT kind, col, key, type, unit, origin FROM key_map ORDER BY kind, col').all() as Column[];
  const columns = { domain: [], host: [], vcpu: [], net: [], block: [] } as Record<Kind, Column[]>;
  const byPattern = new Map<string, { column: Column; pos: number }>();
  for (const r of rows) {
    const list = columns[r.kind];
    byPattern.set(r.key, { column: r, pos: list.length });
    list.push(r);
  }
  return { columns, byPattern };
}

/**
 * Splits a stats key into its pattern and device index: "net.3.rx.bytes" -> ["net.{i}.rx.bytes", 3].
 * The first all-digit component is the index. Written without regular expressions: it runs for
 * every value of every tick.
 */
export function keyPattern(field: string): [pattern: string, idx: number | null] {
  let start = 0;
  while (start < field.length) {
    let end = field.indexOf('.', start);
    if (end < 0) end = field.length;
    if (end > start) {
      let digits = true;
      for (let i = start; i < end; i++) {
        const c = field.charCodeAt(i);
        if (c < 48 || c > 57) {
          digits = false;
          break;
        }
      }
      if (digits) return [field.slice(0, start) + '{i}' + field.slice(end), Number(field.slice(start, end))];
    }
    start = end + 1;
  }
  return [field, null];
}
