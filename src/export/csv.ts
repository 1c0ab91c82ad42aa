// One rule for the text cells of every CSV domstat writes (top --csv, history --format csv):
//   1. control characters are escaped as on the terminal (printable.ts): a record is always one
//      line, whatever a domain or device name holds, so line tools (head, grep, wc -l) stay right;
//   2. a cell that starts with = + - @ (or, after 1, nothing else a spreadsheet acts on) gets a
//      single quote in front, OWASP's rule against formula injection: a spreadsheet shows the name
//      as text instead of running it;
//   3. a cell with a comma or a double quote is quoted, quotes doubled (RFC 4180).
// Numeric cells are written as they are: a number is not a formula, and domstat's numeric
// columns are never negative except top's Domain ID, -1 for a domain that is not running
// (virt-top's convention), which a spreadsheet reads as the number it is.

import { printable } from '../common/printable.js';

export function csvText(s: string): string {
  let c = printable(s);
  if (/^[=+\-@]/.test(c)) c = `'${c}`;
  return /[",]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c;
}

/** One CSV record: cells joined by commas, ended by a newline. */
export const csvRecord = (cells: readonly string[]): string => cells.join(',') + '\n';
