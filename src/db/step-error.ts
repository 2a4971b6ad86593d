// Turns the failure of one step (a file-system call or an SQLite call) into
// a DatabaseError whose message says which step failed and why, in words.
import BetterSqlite3 from 'better-sqlite3';

import { DatabaseError } from '../errors/index.js';
import type { ErrorCode } from '../errors/index.js';

// The causes an operator can act on get plain words; any other errno is
// shown as its lowercased code, which is still searchable.
const ERRNO_REASONS: Readonly<Record<string, string>> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOENT: 'no such file or directory',
  ENOTDIR: 'not a directory',
  EISDIR: 'is a directory',
};

/**
 * failureReason describes why a call failed in a few lowercase words:
 * SQLite's own message (`file is not a database`) or the meaning of an
 * errno. Anything else becomes `unexpected error`, so that text of unknown
 * origin never reaches a message; the error itself stays in `cause`.
 */
export function failureReason(err: unknown): string {
  if (err instanceof BetterSqlite3.SqliteError) return err.message;
  const code = errnoCode(err);
  if (code === undefined) return 'unexpected error';
  return ERRNO_REASONS[code] ?? code.toLowerCase();
}

/**
 * errnoCode returns the errno name (`ENOENT`) of a failed Node.js
 * file-system call, or undefined for any other value.
 */
export function errnoCode(err: unknown): string | undefined {
  if (!(err instanceof Error) || !('code' in err)) return undefined;
  return typeof err.code === 'string' ? err.code : undefined;
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
