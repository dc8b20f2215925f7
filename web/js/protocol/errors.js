// Copyright 2026 The Cerumbra Authors.
//
// errors.js: the typed exceptions of the browser client. Every module throws
// only these; the UI catches them at its boundary (app.js) and shows
// `code` and, for attestation, the failed check's name. The protocol's
// opaque error (docs/protocol.md §8) is code "unauthenticated" with the
// fixed message "session failed": callers must not branch on anything else.

/** Status codes, a subset of absl's (docs STYLE.md §2). */
export const Code = Object.freeze({
  INVALID_ARGUMENT: 'invalid_argument',
  UNAUTHENTICATED: 'unauthenticated',
  FAILED_PRECONDITION: 'failed_precondition',
  RESOURCE_EXHAUSTED: 'resource_exhausted',
  UNAVAILABLE: 'unavailable',
  INTERNAL: 'internal',
});

/** CerumbraError carries a `code` (Code) and a human message. */
export class CerumbraError extends Error {
  constructor(code, message) {
    super(message);
    this.name = 'CerumbraError';
    this.code = code;
  }
}

export const invalidArgument = (m) => new CerumbraError(Code.INVALID_ARGUMENT, m);
export const failedPrecondition = (m) => new CerumbraError(Code.FAILED_PRECONDITION, m);
export const internalError = (m) => new CerumbraError(Code.INTERNAL, m);
export const resourceExhausted = (m) => new CerumbraError(Code.RESOURCE_EXHAUSTED, m);
/** rejected returns the one opaque protocol error (§8). */
export const rejected = () => new CerumbraError(Code.UNAUTHENTICATED, 'session failed');

/** isCode is true when `e` is a CerumbraError with `code`. */
export function isCode(e, code) {
  return e instanceof CerumbraError && e.code === code;
}
