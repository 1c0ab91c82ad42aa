// The key_map table of a database, read back: which stats key lives in which column of which
// kind, and how it is stored. The writer and the reader work from the database's own map, so a
// database describes itself (schema.sql is generated from columns.ts).

import type { Db } from './db.js';
import type { ColumnSpec } from './columns.js';
import { KINDS, rowMapOf, type ColumnType, type Kind, type RowMap } from '../sample/row-map.js';
import { kindLayout, type KindLayout } from './layout.js';

export type Column = ColumnSpec;

/** The row map of a database's columns (in key_map.pos order), with how each kind is laid out in its tables. */
export interface KeyMap extends RowMap<Column> {
  layouts: Record<Kind, KindLayout>;
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
  const rows = rowMapOf(cols);
  const layouts = Object.fromEntries(KINDS.map((k) => [k, kindLayout(k, rows.columns[k])])) as Record<Kind, KindLayout>;
  return { ...rows, layouts };
}
