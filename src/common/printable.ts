// Names from domain XML (domain, interface and disk names) can hold any character. On a
// line-based output (top's screen and batch text, CSV) each is shown with its control
// characters escaped, so a name can never end a line, move the cursor, recolour or retitle a
// terminal, or reorder the text around it. The escapes are C's: \n \r \t, \xNN for the other
// C0 and C1 controls and DEL, \u{NNNN} for Unicode's line separators and bidirectional
// controls. Everything else, backslashes included, is shown as it is.

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

// C0, DEL, C1; U+2028/2029 (line and paragraph separators); the bidi marks, embeddings,
// overrides and isolates (U+061C, U+200E-F, U+202A-E, U+2066-9).
const UNSAFE = /[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/g;

export function printable(s: string): string {
  return s.replace(UNSAFE, (c) => {
    const code = c.charCodeAt(0);
    return NAMED[c] ?? (code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16).padStart(4, '0')}}`);
  });
}
