// /proc/<pid>/io: "rchar: 15878017\nwchar: ...\nread_bytes: ..." (task I/O accounting), domstat's
// extra.io.* keys of the QEMU process.

import { asciiKeys, keyedDecimals } from './bytes.js';
import { parseKeyValues } from './key-value.js';
import { keysFrom, type FileSpec, type KeyFrom } from './spec.js';

export const PROC_PID_IO: FileSpec = { path: '/proc/<pid>/io', limit: 4096 };
export const PROC_IO_FIELDS = ['rchar', 'wchar', 'syscr', 'syscw', 'read_bytes', 'write_bytes', 'cancelled_write_bytes'] as const;
type Field = (typeof PROC_IO_FIELDS)[number];
export const PROC_IO_KEYS: KeyFrom<Field>[] = keysFrom(PROC_IO_FIELDS.map((f) => [`extra.io.${f}`, f] as const));
export type ProcIo = Partial<Record<Field, bigint>>;

export function parseProcPidIo(text: string, source: string): ProcIo {
  return parseKeyValues(text.replace(/:/g, ' '), PROC_IO_FIELDS, source);
}

export const PROC_IO_AT: Readonly<Record<Field, number>> = Object.fromEntries(PROC_IO_FIELDS.map((f, i) => [f, i])) as Record<Field, number>;
const ASCII = asciiKeys(PROC_IO_FIELDS);

/** Every field into out (by PROC_IO_AT); false when the careful parser must read the file (a field missing, malformed or past 2^53). */
export function readProcPidIo(buf: Uint8Array, start: number, end: number, out: Float64Array): boolean {
  const o = out.subarray(0, ASCII.length);
  if (!keyedDecimals(buf, start, end, ASCII, o, true)) return false;
  for (let i = 0; i < o.length; i++) if (o[i] !== o[i]) return false;
  return true;
}
