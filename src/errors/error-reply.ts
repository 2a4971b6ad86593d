// Turns any thrown value into the JSON error body and status a client sees:
// the one place where errors become replies.
import { ERROR_CATALOGUE } from './catalogue.js';
import { MetacryptError } from './metacrypt-error.js';

/** ErrorReply is what an HTTP reply carries for a failed request. */
export interface ErrorReply {
  readonly status: number;
  readonly body: { readonly error: string; readonly code: string };
}

/**
 * errorReply maps an error to its reply. Errors whose code may not be
 * exposed, and anything that is not a MetacryptError, answer with the
 * generic internal error so no internals reach the client.
 */
export function errorReply(err: unknown): ErrorReply {
  if (err instanceof MetacryptError && ERROR_CATALOGUE[err.code].expose) {
    return {
      status: err.status,
      body: { error: err.message, code: err.code },
    };
  }
  const internal = ERROR_CATALOGUE.internal;
  return {
    status: internal.status,
    body: { error: internal.message, code: 'internal' },
  };
}
