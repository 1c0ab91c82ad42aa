// Where a command writes, so tests can run the CLI in-process and read exactly what it printed.

import { VirError, NoDomainError } from '../stats/errors.js';
import { toJson, type Json } from '../export/json.js';

export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Whether out() goes to a terminal (the agent's status line is for people, not for logs). */
  isTTY?: boolean;
}

export const processIo: Io = {
  out: (t) => void process.stdout.write(t),
  err: (t) => void process.stderr.write(t),
  isTTY: process.stdout.isTTY === true,
};

/** A failure the CLI reports as one "error: ..." line and exit status 1. */
export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliError';
  }
}

export function errorLine(e: unknown): string {
  if (e instanceof VirError || e instanceof NoDomainError || e instanceof CliError) return e.message;
  if (e instanceof Error) return e.message;
  return String(e);
}

export function printJson(io: Io, value: Json): void {
  io.out(toJson(value) + '\n');
}
