// The agent's messages: errors always, but each distinct one once (a broken domain must not
// flood the log every second); the per-tick status line only on a terminal and without --quiet
// (under a service manager stdout is a log, and a line per tick would flood it).

import type { Io } from '../common/io.js';

export class AgentLog {
  private readonly seen = new Set<string>();

  constructor(
    private readonly io: Io,
    readonly quiet: boolean,
  ) {}

  /** An error or warning, printed the first time it is seen. Returns whether it was printed. */
  once(message: string): boolean {
    if (this.seen.has(message)) return false;
    if (this.seen.size > 10_000) this.seen.clear();
    this.seen.add(message);
    this.io.err(`${new Date().toISOString()} ${message}\n`);
    return true;
  }

  /** Lets messages starting with `prefix` be printed again: their trouble ended, a new one is news. */
  forget(prefix: string): void {
    for (const m of this.seen) if (m.startsWith(prefix)) this.seen.delete(m);
  }

  info(message: string): void {
    this.io.err(`${new Date().toISOString()} ${message}\n`);
  }

  status(line: string): void {
    if (!this.quiet && this.io.isTTY !== false) this.io.out(line + '\n');
  }
}
