// The store's errors: a database that cannot be opened, written or read (StoreError, with its
// file; StoreWriteError in write-errors.ts says why a write failed), and a history question that
// cannot be answered or a stored value that is not one domstat wrote (HistoryError;
// HistoryLimitError when the question was too big for its deadline, UnknownDomainError and
// UnknownKeyError when it names what the history has never held).

import { DomstatError } from '../common/errors.js';

export class StoreError extends DomstatError {
  readonly code = 'STORE' as const;
  constructor(
    readonly file: string,
    message: string,
    options?: { cause: unknown },
  ) {
    super(`${file}: ${message}`, options);
    this.name = 'StoreError';
  }
}

export class HistoryError extends DomstatError {
  readonly code = 'HISTORY' as const;
  constructor(message: string) {
    super(message);
    this.name = 'HistoryError';
  }
}

/** A query that went past its deadline: the question was too big, not wrong. */
export class HistoryLimitError extends HistoryError {
  constructor(message: string) {
    super(message);
    this.name = 'HistoryLimitError';
  }
}

/** A domain (name, uuid or @host) the history has never held. */
export class UnknownDomainError extends HistoryError {
  constructor(ref: string) {
    super(`no history for domain '${ref}'`);
    this.name = 'UnknownDomainError';
  }
}

/** A key that names no column of any domain's history. */
export class UnknownKeyError extends HistoryError {
  constructor(key: string) {
    super(`unknown key '${key}' (see domstat history --list)`);
    this.name = 'UnknownKeyError';
  }
}
