// The store's two errors: a database that cannot be opened, written or read (StoreError, with its
// file), and a history question that cannot be answered or a stored value that is not one domstat
// wrote (HistoryError).

import { DomstatError } from '../common/errors.js';

export class StoreError extends DomstatError {
  readonly code = 'STORE' as const;
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
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
