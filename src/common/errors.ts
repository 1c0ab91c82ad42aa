// The closed set of domstat's errors. Every error domstat throws is a DomstatError with a literal
// code from ErrorCode (test/architecture/errors.ts holds the source to that); its message is in
// domstat's words, or libvirt's where libvirt has a text (VirError). messageOf() is the one way to
// turn anything caught into a message.

export type ErrorCode =
  /** libvirt's errors, with libvirt's codes and texts (stats/errors.ts) */
  | 'VIR'
  /** no domain by that name, id or uuid (virsh's text) */
  | 'NO_DOMAIN'
  /** a kernel file's content is not what its format says (kernel/) */
  | 'PARSE'
  /** a domain definition that is not acceptable XML (domains/xml.ts) */
  | 'XML'
  /** a host file could not be read (host/host-errors.ts) */
  | 'READ'
  /** a host path that is not absolute and plain */
  | 'HOST_PATH'
  /** a process's cgroup path that names no group of its own */
  | 'CGROUP_PATH'
  /** the history database cannot be opened, written or read */
  | 'STORE'
  /** a history query that cannot be answered */
  | 'HISTORY'
  /** a command-line option or argument that is not acceptable */
  | 'USAGE'
  /** the agent cannot serve HTTP: its --listen address is unusable, or the serving thread did not start (export/) */
  | 'SERVE'
  /** an HTTP API request answered with an error status: bad parameters (400), too big a query (422) (export/history-api.ts) */
  | 'API'
  /** standard output or error cannot be written: its reader went away, or its file system is full (common/io.ts) */
  | 'OUTPUT'
  /** a broken invariant inside domstat: a bug, reported rather than hidden */
  | 'INTERNAL';

export abstract class DomstatError extends Error {
  abstract readonly code: ErrorCode;
}

/** A bad option, argument or configuration value: the CLI prints "error: <message>" and exits 1. */
export class UsageError extends DomstatError {
  readonly code = 'USAGE' as const;
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Something domstat itself got wrong (a column missing from a key map, an unknown schema step). */
export class InternalError extends DomstatError {
  readonly code = 'INTERNAL' as const;
  constructor(message: string) {
    super(`internal error: ${message}`);
    this.name = 'InternalError';
  }
}

/** A write to standard output or error that failed; `readerGone` for EPIPE (`domstat domstats | head`). */
export class OutputError extends DomstatError {
  readonly code = 'OUTPUT' as const;
  constructor(
    readonly fd: 1 | 2,
    readonly readerGone: boolean,
    cause: unknown,
  ) {
    super(`cannot write to standard ${fd === 1 ? 'output' : 'error'}: ${messageOf(cause)}`);
    this.name = 'OutputError';
  }
}

/** The message of anything caught: an Error's own, else its text. */
export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
