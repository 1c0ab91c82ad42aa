// The key_map table of a database, read back: which stats key lives in which column of which
// kind, and how it is stored. The writer and the reader work from the database's own map, so a
// database describes itself (schema.sql is generated from columns.ts).

import type { Db } from './db.js';
import { KINDS, type ColumnSpec, type ColumnType, type Kind } from './columns.js';
import { kindLayout, type KindLayout } from './layout.js';

export type { Kind };
export { KINDS };
export type Column = ColumnSpec;

export interface KeyMap {
  /** Each kind's columns in key_map.pos order: the order of a DeviceSample's values. */
  columns: Record<Kind, Column[]>;
  layouts: Record<Kind, KindLayout>;
  /** Pattern ("net.{i}.rx.bytes") -> column and its position in the kind's column list. */
  byPattern: Map<string, { column: Column; pos: number }>;
}

interface KeyMapRow {
  kind: Kind;
  col: string;
  key: string;
  type: ColumnType;
  unit: string;
  scale: bigint;
  rollup: string;
  origin: 'libvirt' | 'domstat';
  note: string;
}

export function readKeyMap(db: Db): KeyMap {
  const rows = db.prepare('SELECT kind, col, key, type, unit, scale, rollup, origin, note FROM key_map ORDER BY kind, pos').all() as KeyMapRow[];
  return keyMapOf(
    rows.map((r) => {
      const c: Column = { kind: r.kind, col: r.col, key: r.key, type: r.type, unit: r.unit, scale: Number(r.scale), origin: r.origin, note: r.note };
      if (r.rollup.includes('max') && r.type === 'counter') c.peak = true;
      if (r.rollup.includes('min')) c.low = true;
      return c;
    }),
  );
}

/** A key map of columns in their stored order (a database's, or this release's column list for a database not made yet). */
export function keyMapOf(cols: readonly Column[]): KeyMap {
  const columns = Object.fromEntries(KINDS.map((k) => [k, []])) as unknown as Record<Kind, Column[]>;
  const byPattern = new Map<string, { column: Column; pos: number }>();
  for (const c of cols) {
    const list = columns[c.kind];
    byPattern.set(c.key, { column: c, pos: list.length });
    list.push(c);
  }
  const layouts = Object.fromEntries(KINDS.map((k) => [k, kindLayout(k, columns[k])])) as Record<Kind, KindLayout>;
  return { columns, layouts, byPattern };
}

/**
 * Splits a stats key into its pattern and device index: "net.3.rx.bytes" -> ["net.{i}.rx.bytes", 3].
 * The first all-digit component is the index. Written without regular expressions: it runs for
 * every value the drivers' path hands the store.
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
