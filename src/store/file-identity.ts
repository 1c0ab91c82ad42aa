// A file as the kernel knows it (file system and inode), to tell whether the file at a path is
// still the one that was opened there: the database, its WAL and shared memory, the writer lock.

import * as fs from 'node:fs';

export interface FileIdentity {
  dev: number;
  ino: number;
}

/** The identity of the file at the path now, or null when there is none. */
export function identityAt(path: string): FileIdentity | null {
  const st = fs.statSync(path, { throwIfNoEntry: false });
  return st === undefined ? null : { dev: st.dev, ino: st.ino };
}

export const sameIdentity = (a: FileIdentity | null, b: FileIdentity | null): boolean => a !== null && b !== null && a.dev === b.dev && a.ino === b.ino;

/** Whether the file at the path is the one with this identity. */
export function sameFile(path: string, id: FileIdentity): boolean {
  return sameIdentity(identityAt(path), id);
}
