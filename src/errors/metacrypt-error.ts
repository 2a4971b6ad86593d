// The base error class: every error Metacrypt raises on purpose carries a
// stable code from the catalogue, so callers branch on codes, never on text.
import { ERROR_CATALOGUE } from './catalogue.js';
import type { ErrorCode } from './catalogue.js';

/** MetacryptErrorOptions adds what a refusal may tell the caller. */
export interface MetacryptErrorOptions extends ErrorOptions {
  /** Seconds until a refused request may be retried (Retry-After). */
  readonly retryAfterSeconds?: number;
}

/** MetacryptError is the base of every deliberate error in Metacrypt. */
export class MetacryptError extends Error {
  /** The stable code; see docs/ERRORS.md. */
  readonly code: ErrorCode;
  /** Seconds until retrying makes sense, for lockouts and rate limits. */
  readonly retryAfterSeconds: number | undefined;

  constructor(
    code: ErrorCode,
    message?: string,
    options?: MetacryptErrorOptions,
  ) {
    super(message ?? ERROR_CATALOGUE[code].message, options);
    this.name = new.target.name;
    this.code = code;
    this.retryAfterSeconds = options?.retryAfterSeconds;
  }

  /** The HTTP status the catalogue assigns to this error's code. */
  get status(): number {
    return ERROR_CATALOGUE[this.code].status;
  }
}

/**
 * ModuleError prefixes its message with the module that raised it, as in
 * `config: server.tls_cert is required`, so an operator can tell at a glance
 * which part of the setup to fix.
 */
abstract class ModuleError extends MetacryptError {
  protected constructor(
    module: string,
    code: ErrorCode,
    detail: string,
    options?: ErrorOptions,
  ) {
    super(code, `${module}: ${detail}`, options);
  }
}

/**
 * ConfigError reports a configuration that cannot be found, read or used.
 * Its message names the first problem; problems lists every one found, so
 * a command can show them all at once.
 */
export class ConfigError extends ModuleError {
  readonly problems: readonly string[];

  constructor(
    code: ErrorCode,
    detail: string,
    options?: ErrorOptions & { problems?: readonly string[] },
  ) {
    super('config', code, detail, options);
    this.problems = options?.problems ?? [this.message];
  }
}

/** DatabaseError reports a failure to open, migrate or copy the database. */
export class DatabaseError extends ModuleError {
  constructor(code: ErrorCode, detail: string, options?: ErrorOptions) {
    super('db', code, detail, options);
  }
}

/**
 * CryptoError reports misuse of a primitive or a ciphertext that does not
 * open. Its messages never include key bytes, plaintext or ciphertext.
 */
export class CryptoError extends ModuleError {
  constructor(code: ErrorCode, detail: string, options?: ErrorOptions) {
    super('crypto', code, detail, options);
  }
}

/**
 * ServerError reports an HTTPS server that cannot start: a certificate or
 * key that does not load, an address it cannot listen on.
 */
export class ServerError extends ModuleError {
  constructor(code: ErrorCode, detail: string, options?: ErrorOptions) {
    super('server', code, detail, options);
  }
}
