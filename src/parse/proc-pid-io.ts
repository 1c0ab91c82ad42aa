// /proc/<pid>/io: "rchar: 15878017\nwchar: ...\nread_bytes: ..." (task I/O accounting).

import { parseKeyValues } from './key-value.js';

export const PROC_IO_KEYS = ['rchar', 'wchar', 'syscr', 'syscw', 'read_bytes', 'write_bytes', 'cancelled_write_bytes'] as const;
export type ProcIo = Partial<Record<(typeof PROC_IO_KEYS)[number], bigint>>;

export function parseProcPidIo(text: string, source: string): ProcIo {
  return parseKeyValues(text.replace(/:/g, ' '), PROC_IO_KEYS, source);
}
