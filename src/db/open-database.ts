// Opens the vault's SQLite file: created with mode 0600 before SQLite sees
// it, then switched to WAL with foreign keys, a busy timeout and full syncs.
import assert from 'node:assert/strict';
import { closeSync, constants, openSync } from 'node:fs';

import BetterSqlite3 from 'better-sqlite3';
import type { Database } from 'better-sqlite3';

import { DatabaseError, errnoCode } from '../errors/index.js';
import { createPrivateFile } from './private-file.js';
import { stepError } from './step-error.js';

/** OpenDatabaseOptions tune openDatabase; the defaults suit the server. */
export interface OpenDatabaseOptions {
  /**
   * Whether a missing file is created; true by default. Commands that only
   * work on an existing vault pass false, so that a mistyped path fails
   * instead of quietly producing an empty database.
   */
  readonly create?: boolean;
  /**
   * How long a statement waits for another connection's lock before
   * failing with `database is locked`, in milliseconds.
   */
  readonly busyTimeoutMs?: number;
}

/** DEFAULT_BUSY_TIMEOUT_MS is the lock wait of DESIGN.md §3. */
export const DEFAULT_BUSY_TIMEOUT_MS = 5000;

/**
 * openDatabase opens (and by default creates) the SQLite database at path
 * and returns the connection with the vault's pragmas in force. It throws
 * a DatabaseError `db_open` naming the failed step: `create file`, `open`
 * or `set pragma`. The caller owns the connection and closes it.
 */
export function openDatabase(
  path: string,
  options: OpenDatabaseOptions = {},
): Database {
  const { create = true, busyTimeoutMs = DEFAULT_BUSY_TIMEOUT_MS } = options;
  assert.ok(
    Number.isSafeInteger(busyTimeoutMs) && busyTimeoutMs >= 0,
    'busyTimeoutMs must be a non-negative integer',
  );
  // ':memory:' and '' would give a private temporary database, which can
  // hold no vault and would not survive the process.
  if (path === '' || path === ':memory:') {
    throw new DatabaseError('db_open', 'open: a file path is required');
  }

  // Step 1: the file exists, owner-only if new, before SQLite touches it,
  // and this process can read and write it.
  if (create) ensureFile(path);
  checkOpenable(path);

  // Step 2: open. fileMustExist keeps SQLite from creating the file itself,
  // with its default 0644 mode, should it vanish after step 1.
  const db = openConnection(path, busyTimeoutMs);

  // Step 3: the pragmas every connection runs with.
  try {
    applyPragmas(db, path, busyTimeoutMs);
  } catch (err) {
    db.close();
    if (err instanceof DatabaseError) throw err;
    throw stepError('db_open', 'set pragma', err, path);
  }
  return db;
}

// An existing file is left as it is: its mode is the operator's business,
// and another process may have created it a moment ago.
function ensureFile(path: string): void {
  try {
    createPrivateFile(path);
  } catch (err) {
    if (errnoCode(err) === 'EEXIST') return;
    throw stepError('db_open', 'create file', err, path);
  }
}

// Opens and closes the file read-write. SQLite reports a missing file, a
// directory or a read-only file as `unable to open database file`, or
// silently opens it read-only; the errno from a plain open says which.
function checkOpenable(path: string): void {
  try {
    closeSync(openSync(path, constants.O_RDWR));
  } catch (err) {
    throw stepError('db_open', 'open', err, path);
  }
}

function openConnection(path: string, busyTimeoutMs: number): Database {
  let db: Database | undefined;
  try {
    // The timeout option sets busy_timeout before the first statement, so
    // even the journal_mode switch below waits for a concurrent opener.
    db = new BetterSqlite3(path, {
      fileMustExist: true,
      timeout: busyTimeoutMs,
    });
    // SQLite reads the header lazily; reading the schema here makes a file
    // that is not a database fail as `open` rather than at a pragma.
    db.prepare('SELECT 1 FROM sqlite_schema LIMIT 1').get();
    return db;
  } catch (err) {
    db?.close();
    throw stepError('db_open', 'open', err, path);
  }
}

function applyPragmas(db: Database, path: string, busyTimeoutMs: number): void {
  // WAL lets readers (snapshots, status) run while the key worker writes.
  // The mode is persistent and the pragma returns the mode actually in
  // force, which stays the old one where WAL is impossible (for instance
  // a file system without shared memory).
  const mode = switchToWal(db, busyTimeoutMs);
  if (mode !== 'wal') {
    throw new DatabaseError(
      'db_open',
      `set pragma: journal_mode is ${String(mode)}, not wal (${path})`,
    );
  }

  // Foreign keys are off by default in SQLite, per connection. The pragma
  // is a silent no-op inside a transaction, hence the read-back.
  db.pragma('foreign_keys = ON');
  if (db.pragma('foreign_keys', { simple: true }) !== 1) {
    throw new DatabaseError(
      'db_open',
      `set pragma: foreign_keys did not turn on (${path})`,
    );
  }

  // FULL rather than NORMAL. Under WAL, NORMAL syncs only at checkpoints:
  // the file cannot be corrupted, but a power loss can undo the last
  // commits after callers were told they succeeded. For a vault that is a
  // real loss: a rekey undone brings back a password the operator may have
  // destroyed, a key rotation undone strands ciphertexts made with the new
  // version, a lockout undone resets the unseal limiter. Writes are few
  // (rotations, mounts, policy edits), so one fsync per commit is cheap.
  db.pragma('synchronous = FULL');
}

// Switching a file to WAL takes a moment of exclusive access. When several
// processes open the same new file at once, SQLite can answer one of them
// SQLITE_BUSY straight away, without waiting through the busy handler (two
// or three processes racing on a new file hit this in a few percent of
// tries). So the switch is retried here, within the same busy timeout.
const WAL_RETRY_MS = 5;

function switchToWal(db: Database, busyTimeoutMs: number): unknown {
  const deadline = Date.now() + busyTimeoutMs;
  for (;;) {
    try {
      return db.pragma('journal_mode = WAL', { simple: true });
    } catch (err) {
      if (!isBusy(err) || Date.now() >= deadline) throw err;
      sleep(WAL_RETRY_MS);
    }
  }
}

function isBusy(err: unknown): boolean {
  return (
    err instanceof BetterSqlite3.SqliteError &&
    err.code.startsWith('SQLITE_BUSY')
  );
}

// Blocks the thread: opening is synchronous, like all of better-sqlite3.
function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
