// Where domstat writes: commands and the agent print through an Io, so tests can run them
// in-process and read exactly what was printed.

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
  isTTY: process.stdout.isTTY === true,
};
