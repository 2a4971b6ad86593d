// Turns the failure of one step (a file-system call or an SQLite call) into
// a DatabaseError whose message says which step failed and why, in words.
import BetterSqlite3 from 'better-sqlite3';

import { DatabaseError, errnoReason } from '../errors/index.js';
import type { ErrorCode } from '../errors/index.js';

/**
 * failureReason describes why a call failed in a few lowercase words:
 * SQLite's own message (`file is not a database`) or the meaning of an
 * errno. Anything else becomes `unexpected error`, so that text of unknown
 * origin never reaches a message; the error itself stays in `cause`.
 */
export function failureReason(err: unknown): string {
  if (err instanceof BetterSqlite3.SqliteError) return err.message;
  return errnoReason(err) ?? 'unexpected error';
}

/**
 * stepError builds the DatabaseError for a failed step, as in
 * `db: create file: permission denied (/var/lib/metacrypt/vault.db)`.
 * The path is the only context given: operators need it to find the file,
 * and it is not a secret.
 */
export function stepError(
  code: ErrorCode,
  step: string,
  cause: unknown,
  path: string,
): DatabaseError {
  return new DatabaseError(code, `${step}: ${failureReason(cause)} (${path})`, {
    cause,
  });
}
