// A text table fitted to a terminal's width, for top. The rule keeps numbers readable: a number
// is never cut. Text columns (names) give way first, down to their minimum width, cut at the end
// with "…"; if the line is still too wide, whole columns go, in each column's drop order (the
// sort column never goes); a line that still does not fit (a terminal narrower than the kept
// columns) is cut at the width. Widths are display columns: a wide character (CJK, emoji) takes
// two. Cells must be printable already (printable.ts): one line each.

import stringWidth from 'string-width';

export interface TableColumn {
  head: string;
  cells: readonly string[];
  align: 'left' | 'right';
  /** A text column: cut to as little as this (at least its head) before any column is dropped. */
  minWidth?: number;
  /** Dropped when the table does not fit, lowest first; absent = kept. */
  dropOrder?: number;
}

const GAP = 2;
const segmenter = new Intl.Segmenter();

export const displayWidth = (s: string): number => stringWidth(s);

/** `s` in at most `cols` display columns, ending in "…" when cut. */
export function truncate(s: string, cols: number): string {
  if (displayWidth(s) <= cols) return s;
  if (cols <= 0) return '';
  let out = '';
  let w = 0;
  for (const { segment } of segmenter.segment(s)) {
    const sw = displayWidth(segment);
    if (w + sw > cols - 1) break;
    out += segment;
    w += sw;
  }
  return `${out}…`;
}

function pad(s: string, cols: number, align: 'left' | 'right'): string {
  const fill = ' '.repeat(Math.max(0, cols - displayWidth(s)));
  return align === 'left' ? s + fill : fill + s;
}

/** The table's lines (head first), at most `width` columns each; null = no limit. */
export function fitTable(columns: readonly TableColumn[], width: number | null): string[] {
  const natural = columns.map((c) => Math.max(displayWidth(c.head), ...c.cells.map(displayWidth)));
  const least = (i: number) =>
    columns[i]!.minWidth === undefined ? natural[i]! : Math.min(natural[i]!, Math.max(columns[i]!.minWidth!, displayWidth(columns[i]!.head)));
  let kept = columns.map((_, i) => i);
  const need = (ids: number[], size: (i: number) => number) => ids.reduce((s, i) => s + size(i), 0) + GAP * Math.max(0, ids.length - 1);
  const widths = [...natural];
  if (width !== null) {
    const droppable = kept.filter((i) => columns[i]!.dropOrder !== undefined).sort((a, b) => columns[a]!.dropOrder! - columns[b]!.dropOrder!);
    while (need(kept, least) > width && droppable.length > 0) {
      const gone = droppable.shift()!;
      kept = kept.filter((i) => i !== gone);
    }
    // Text columns share what the numbers leave: the widest is cut first (water-filling).
    const text = kept.filter((i) => columns[i]!.minWidth !== undefined);
    const numbers = kept.filter((i) => columns[i]!.minWidth === undefined).reduce((sum, i) => sum + natural[i]!, 0);
    const room = width - numbers - GAP * Math.max(0, kept.length - 1);
    let cap = Math.max(0, ...text.map((i) => natural[i]!));
    const used = () => text.reduce((s, i) => s + Math.max(least(i), Math.min(natural[i]!, cap)), 0);
    while (cap > 0 && used() > room) cap--;
    for (const i of text) widths[i] = Math.max(least(i), Math.min(natural[i]!, cap));
  }
  const rows = Math.max(0, ...columns.map((c) => c.cells.length));
  const line = (cell: (i: number) => string) => {
    const l = kept
      .map((i) => pad(truncate(cell(i), widths[i]!), widths[i]!, columns[i]!.align))
      .join(' '.repeat(GAP))
      .trimEnd();
    return width === null ? l : truncate(l, width);
  };
  return [line((i) => columns[i]!.head), ...Array.from({ length: rows }, (_, r) => line((i) => columns[i]!.cells[r] ?? ''))];
}
