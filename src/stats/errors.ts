import { DomstatError, messageOf } from '../common/errors.js';

// Errors with libvirt's codes and texts. virsh shows them as "error: <prefix>: <message>",
// where the prefix comes from the code (e.g. "invalid argument"), so both are kept.

export const VirErrorCode = {
  INTERNAL_ERROR: 1,
  NO_SUPPORT: 3,
  OPERATION_FAILED: 9,
  INVALID_ARG: 8,
  SYSTEM_ERROR: 38,
  NO_DOMAIN: 42,
  OPERATION_INVALID: 55,
  ARGUMENT_UNSUPPORTED: 74,
  OPERATION_UNSUPPORTED: 84,
} as const;
export type VirErrorCodeValue = (typeof VirErrorCode)[keyof typeof VirErrorCode];

/** The text virsh puts before a message of each code (virErrorMsg in libvirt's virerror.c). */
const PREFIX: Record<VirErrorCodeValue, string> = {
  1: 'internal error',
  3: 'this function is not supported by the connection driver',
  9: 'operation failed',
  8: 'invalid argument',
  38: '', // virErrorMsg gives a system error's message alone: "<what>: <strerror>"
  42: 'Domain not found',
  55: 'Requested operation is not valid',
  74: 'argument unsupported',
  84: 'Operation not supported',
};

export class VirError extends DomstatError {
  readonly code = 'VIR' as const;
  constructor(
    readonly vir: VirErrorCodeValue,
    /** libvirt's own message text, without the code prefix. */
    readonly detail: string,
  ) {
    super(detail === '' || PREFIX[vir] === '' ? PREFIX[vir] || detail : `${PREFIX[vir]}: ${detail}`);
    this.name = 'VirError';
  }
}

export const invalidArg = (detail: string) => new VirError(VirErrorCode.INVALID_ARG, detail);
export const internalError = (detail: string) => new VirError(VirErrorCode.INTERNAL_ERROR, detail);
/** virReportSystemError: the message and the system's text for errno. */
export const systemError = (detail: string, strerror: string) => new VirError(VirErrorCode.SYSTEM_ERROR, `${detail}: ${strerror}`);
export const operationInvalid = (detail: string) => new VirError(VirErrorCode.OPERATION_INVALID, detail);
export const operationUnsupported = (detail: string) => new VirError(VirErrorCode.OPERATION_UNSUPPORTED, detail);
export const argumentUnsupported = (detail: string) => new VirError(VirErrorCode.ARGUMENT_UNSUPPORTED, detail);

/** virsh's message for a name that matches no domain. */
export class NoDomainError extends DomstatError {
  readonly code = 'NO_DOMAIN' as const;
  constructor(readonly domainName: string) {
    super(`failed to get domain '${domainName}'`);
    this.name = 'NoDomainError';
  }
}

/** What a domain's problem says about an error: libvirt's own text without its prefix, else the message. */
export function detailOf(e: unknown): string {
  return e instanceof VirError ? e.detail : messageOf(e);
}
