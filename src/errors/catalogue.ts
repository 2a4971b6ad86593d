// The one catalogue of error codes: each stable code, its HTTP status, the
// message people see by default, and whether that message may leave the
// process in a reply. docs/ERRORS.md lists the same codes; a test keeps the
// two in step.

/** ErrorSpec describes one stable error code. */
export interface ErrorSpec {
  /** HTTP status a reply carrying this code answers with. */
  readonly status: number;
  /** Default message, used when the raiser gives no more specific one. */
  readonly message: string;
  /**
   * Whether the message may be sent to a client. Internal faults answer
   * with the generic `internal error` instead, so paths, SQL or library
   * text never reach a reply.
   */
  readonly expose: boolean;
}

/** ERROR_CATALOGUE maps every stable error code to its spec. */
export const ERROR_CATALOGUE = {
  // Requests and callers (DESIGN.md §8).
  bad_request: { status: 400, message: 'bad request', expose: true },
  invalid_path: { status: 400, message: 'invalid path', expose: true },
  password_too_short: {
    status: 400,
    message: 'password too short',
    expose: true,
  },
  invalid_password: { status: 401, message: 'invalid password', expose: true },
  invalid_credentials: {
    status: 401,
    message: 'invalid credentials',
    expose: true,
  },
  unauthenticated: { status: 401, message: 'unauthenticated', expose: true },
  forbidden: { status: 403, message: 'forbidden', expose: true },
  login_denied: { status: 403, message: 'login denied', expose: true },
  not_found: { status: 404, message: 'not found', expose: true },
  already_initialized: {
    status: 409,
    message: 'already initialized',
    expose: true,
  },
  already_exists: { status: 409, message: 'already exists', expose: true },
  not_initialized: { status: 412, message: 'not initialized', expose: true },
  request_too_large: {
    status: 413,
    message: 'request too large',
    expose: true,
  },
  too_many_attempts: {
    status: 429,
    message: 'too many attempts',
    expose: true,
  },
  rate_limited: { status: 429, message: 'too many attempts', expose: true },
  mcias_unavailable: {
    status: 502,
    message: 'mcias unavailable',
    expose: true,
  },
  sealed: { status: 503, message: 'sealed', expose: true },
  // An unplanned fault: its message may quote internals, so replies say
  // only `internal error` and the log keeps the rest.
  internal: { status: 500, message: 'internal error', expose: false },

  // The key worker and the barrier (src/keyworker).
  worker_timeout: {
    status: 503,
    message: 'key worker timed out',
    expose: true,
  },
  barrier_integrity: {
    status: 500,
    message: 'barrier: integrity check failed',
    expose: true,
  },

  // The transit engine (src/engines/transit).
  invalid_ciphertext: {
    status: 400,
    message: 'invalid ciphertext',
    expose: true,
  },
  decryption_failed: {
    status: 400,
    message: 'decryption failed',
    expose: true,
  },

  // The web UI (src/server/ui): a form post whose CSRF token is missing,
  // does not match its cookie or was made for another session.
  csrf_failed: {
    status: 403,
    message: 'form expired: reload the page and try again',
    expose: true,
  },

  // The HTTPS server (src/server).
  server_tls: { status: 500, message: 'server: tls error', expose: false },
  server_listen: {
    status: 500,
    message: 'server: cannot listen',
    expose: false,
  },

  // The command line (src/cli): what a command reports about itself or
  // about reaching the server, never sent in a reply.
  cli_usage: { status: 400, message: 'cli: bad usage', expose: false },
  cli_unreachable: {
    status: 502,
    message: 'cli: cannot reach the server',
    expose: false,
  },
  cli_reply: {
    status: 502,
    message: 'cli: unexpected reply from the server',
    expose: false,
  },

  // Configuration (src/config).
  config_not_found: {
    status: 500,
    message: 'config: file not found',
    expose: false,
  },
  config_read: {
    status: 500,
    message: 'config: cannot read file',
    expose: false,
  },
  config_parse: { status: 500, message: 'config: parse error', expose: false },
  config_invalid: {
    status: 500,
    message: 'config: invalid configuration',
    expose: false,
  },

  // Database (src/db).
  db_open: { status: 500, message: 'db: open failed', expose: false },
  db_migration: { status: 500, message: 'db: migration failed', expose: false },
  db_schema_newer: {
    status: 500,
    message: 'db: schema is newer than this build',
    expose: false,
  },
  db_snapshot: { status: 500, message: 'db: snapshot failed', expose: false },
  db_integrity: {
    status: 500,
    message: 'db: integrity check failed',
    expose: false,
  },

  // Crypto primitives (src/crypto).
  crypto_key_length: {
    status: 500,
    message: 'crypto: wrong key length',
    expose: false,
  },
  crypto_malformed: {
    status: 500,
    message: 'crypto: malformed ciphertext',
    expose: false,
  },
  crypto_auth_failed: {
    status: 500,
    message: 'crypto: message authentication failed',
    expose: false,
  },
  crypto_kdf_params: {
    status: 500,
    message: 'crypto: invalid argon2id parameters',
    expose: false,
  },
} as const satisfies Record<string, ErrorSpec>;

/** ErrorCode is one of the stable codes of the catalogue. */
export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/** isErrorCode tells whether a string is a code of the catalogue. */
export function isErrorCode(value: string): value is ErrorCode {
  return Object.hasOwn(ERROR_CATALOGUE, value);
}
