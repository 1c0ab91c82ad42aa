// Where domstat writes: commands and the agent print through an Io, so tests can run them
// in-process and read exactly what was printed.

import * as fs from 'node:fs';
import { OutputError } from './errors.js';

export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Whether out() goes to a terminal (the agent's status line is for people, not for logs). */
  isTTY?: boolean;
  /** A monotonic clock in ms for rates between refreshes (performance.now; tests pass their own, so rates are exact). */
  now?: () => number;
}

export const processIo: Io = {
  out: (t) => void process.stdout.write(t),
  err: (t) => void process.stderr.write(t),
  // Asked when needed: the first touch of process.stdout loads node's stream modules.
  get isTTY() {
    return process.stdout.isTTY === true;
  },
};

/**
 * Writes to a descriptor with write(2) itself, whole and in order, so that a one-shot command
 * never loads node's stream modules (~20 of them, most of what is left of its start-up once its
 * own code is bundled). On stdout and stderr node writes synchronously on Linux anyway (files,
 * pipes and terminals alike). If a write fails with EAGAIN (a descriptor someone left
 * non-blocking), what is left of it, and every later write, goes to node's stream, which waits
 * for a slow reader. Any other failure ends the output: that write throws an OutputError (the
 * command line says it in one line, or nothing when the reader went away, as `| head` does), and
 * later writes are dropped.
 */
export function fdWriter(fd: 1 | 2): (text: string) => void {
  let mode: 'direct' | 'stream' | 'ended' = 'direct';
  return (text) => {
    if (mode === 'ended') return;
    const bytes = Buffer.from(text, 'utf8');
    let done = 0;
    if (mode === 'direct') {
      try {
        while (done < bytes.length) done += fs.writeSync(fd, bytes, done, bytes.length - done);
        return;
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code !== 'EAGAIN') {
          mode = 'ended';
          throw new OutputError(fd, code === 'EPIPE', e);
        }
        mode = 'stream';
        streamOf(fd).on('error', (err: NodeJS.ErrnoException) => {
          // The stream's error comes after the command has returned: said here, once.
          mode = 'ended';
          if (err.code === 'EPIPE') return;
          process.exitCode = 1;
          if (fd === 2) return;
          try {
            fs.writeSync(2, `error: ${new OutputError(fd, false, err).message}\n`);
          } catch {
            // standard error is gone too: the exit status says it
          }
        });
      }
    }
    streamOf(fd).write(bytes.subarray(done));
  };
}

const streamOf = (fd: 1 | 2): NodeJS.WriteStream => (fd === 1 ? process.stdout : process.stderr);

/** The one-shot commands' Io (cli/oneshot.ts): stdout and stderr written through fdWriter. */
export function fdIo(): Io {
  return {
    out: fdWriter(1),
    err: fdWriter(2),
    get isTTY() {
      return process.stdout.isTTY === true;
    },
  };
}
