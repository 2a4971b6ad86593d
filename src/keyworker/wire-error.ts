// Errors across the worker boundary: a stable code and a safe message out,
// a MetacryptError with the same code back in.
import { isErrorCode, MetacryptError } from '../errors/index.js';
import type { WireError } from './protocol.js';

/**
 * toWireError turns anything the worker threw into a WireError. A
 * MetacryptError keeps its code, message and retry hint; anything else
 * becomes `internal` naming only the error's class and SQLite code (say
 * `TypeError` or `SqliteError SQLITE_BUSY`), because an unplanned error's
 * text may quote a buffer or a SQL value.
 */
export function toWireError(err: unknown): WireError {
  if (err instanceof MetacryptError) {
    return err.retryAfterSeconds === undefined
      ? { code: err.code, message: err.message }
      : {
          code: err.code,
          message: err.message,
          retryAfterSeconds: err.retryAfterSeconds,
        };
  }
  return {
    code: 'internal',
    message: `key worker: internal error (${describe(err)})`,
  };
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return typeof err;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && /^[A-Z_]+$/.test(code)
    ? `${err.name} ${code}`
    : err.name;
}

/**
 * fromWireError rebuilds the error on the main thread. A code the
 * catalogue does not know (a newer worker, a bug) becomes `internal`.
 */
export function fromWireError(wire: WireError): MetacryptError {
  if (!isErrorCode(wire.code)) {
    return new MetacryptError('internal', 'key worker: unknown error code');
  }
  return wire.retryAfterSeconds === undefined
    ? new MetacryptError(wire.code, wire.message)
    : new MetacryptError(wire.code, wire.message, {
        retryAfterSeconds: wire.retryAfterSeconds,
      });
}
