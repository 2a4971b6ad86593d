// Brings the database schema up to date by running the migration files in
// order, each in its own transaction, recorded in schema_migrations.
import assert from 'node:assert/strict';

import type { Database } from 'better-sqlite3';

import { DatabaseError } from '../errors/index.js';
import { projectPath } from '../paths.js';
import { migrationLabel, readMigrationFiles } from './migration-files.js';
import type { MigrationFile } from './migration-files.js';
import { failureReason } from './step-error.js';

/** MigrateOptions tune migrate; the defaults suit the server. */
export interface MigrateOptions {
  /** Where the NNNN_name.sql files are; the project's migrations/. */
  readonly directory?: string;
}

/** MigrationSummary says what one call to migrate did. */
export interface MigrationSummary {
  /** The schema version before the call (0 for a new database). */
  readonly from: number;
  /** The schema version after the call. */
  readonly to: number;
  /**
   * The migrations this call ran, as `0002_name`. One that a concurrent
   * process ran first is not listed, though `to` includes it.
   */
  readonly applied: readonly string[];
}

interface LedgerRow {
  readonly version: number;
  readonly name: string;
}

// The runner owns this table, so that the migrations it records need not
// exist before the first one runs.
const CREATE_LEDGER = `
  CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at TEXT NOT NULL
  ) STRICT`;

/**
 * migrate runs every migration in the directory that the database has not
 * recorded yet, in order, each in its own IMMEDIATE transaction together
 * with its row in schema_migrations. Running it again changes nothing, and
 * two processes running it at once apply each migration once.
 *
 * It throws DatabaseError `db_schema_newer` when the database was migrated
 * beyond the newest file, and `db_migration` for a bad file, a recorded
 * migration whose file was renamed or replaced, or SQL that fails. A failed
 * migration is rolled back whole: the database stays at the version before.
 */
export function migrate(
  db: Database,
  options: MigrateOptions = {},
): MigrationSummary {
  // A transaction here would turn the per-migration transactions below into
  // savepoints of the caller's, and nothing would be committed on its own.
  assert.ok(!db.inTransaction, 'migrate: called inside a transaction');

  // Step 1: read and check every file before touching the database.
  const directory = options.directory ?? projectPath('migrations');
  const files = readMigrationFiles(directory);

  // Step 2: make sure the ledger exists and agrees with the files.
  runImmediate(db, 'creating schema_migrations', () => db.exec(CREATE_LEDGER));
  const from = checkLedger(readLedger(db), files);

  // Step 3: run the pending migrations, one transaction each.
  const applied: string[] = [];
  for (const file of files.slice(from)) {
    if (applyMigration(db, file)) {
      applied.push(migrationLabel(file.version, file.name));
    }
  }

  // Step 4: a newer build may have migrated further while we ran.
  const to = schemaVersion(db);
  if (to > files.length) throw newerSchema(to, files.length);
  return { from, to, applied };
}

/**
 * schemaVersion returns the highest migration recorded in the database, or
 * 0 when none has run (and schema_migrations does not exist yet).
 */
export function schemaVersion(db: Database): number {
  const ledger = db
    .prepare(
      "SELECT 1 FROM sqlite_schema WHERE type = 'table' " +
        "AND name = 'schema_migrations'",
    )
    .get();
  if (ledger === undefined) return 0;
  const row = db
    .prepare<[], { version: number }>(
      'SELECT coalesce(max(version), 0) AS version FROM schema_migrations',
    )
    .get();
  return row?.version ?? 0;
}

function readLedger(db: Database): LedgerRow[] {
  return db
    .prepare<[], LedgerRow>(
      'SELECT version, name FROM schema_migrations ORDER BY version',
    )
    .all();
}

// Returns the current version after checking that the recorded history is
// a prefix of the files: versions 1..n, each under its file's name.
function checkLedger(rows: LedgerRow[], files: MigrationFile[]): number {
  const current = rows.at(-1)?.version ?? 0;
  if (current > files.length) throw newerSchema(current, files.length);
  rows.forEach((row, index) => {
    if (row.version !== index + 1) {
      throw new DatabaseError(
        'db_migration',
        `schema_migrations lacks version ${index + 1} ` +
          `but records ${row.version}`,
      );
    }
    const file = files[index];
    assert.ok(file !== undefined, 'a recorded version has its file');
    checkSameName(row, file);
  });
  return current;
}

// Runs one migration unless a concurrent process got there first. The
// check happens inside the transaction: BEGIN IMMEDIATE takes the write
// lock, so no other migrator can record this version between the check
// and the insert. Returns whether this call applied it.
function applyMigration(db: Database, file: MigrationFile): boolean {
  const label = migrationLabel(file.version, file.name);
  const recorded = db.prepare<[number], { name: string }>(
    'SELECT name FROM schema_migrations WHERE version = ?',
  );
  const record = db.prepare<[number, string, string]>(
    'INSERT INTO schema_migrations (version, name, applied_at) ' +
      'VALUES (?, ?, ?)',
  );
  return runImmediate(db, `migration ${label}`, () => {
    const row = recorded.get(file.version);
    if (row !== undefined) {
      checkSameName({ version: file.version, name: row.name }, file);
      return false;
    }
    db.exec(file.sql);
    record.run(file.version, file.name, new Date().toISOString());
    return true;
  });
}

// Runs fn in an IMMEDIATE transaction: taking the write lock at BEGIN
// means the busy timeout covers the whole wait for a concurrent writer,
// where a deferred transaction upgrading its read lock can fail at once.
// SQLite's errors become `db: <what> failed: <sqlite message>`.
function runImmediate<T>(db: Database, what: string, fn: () => T): T {
  try {
    return db.transaction(fn).immediate();
  } catch (err) {
    if (err instanceof DatabaseError) throw err;
    throw new DatabaseError(
      'db_migration',
      `${what} failed: ${failureReason(err)}`,
      { cause: err },
    );
  }
}

function checkSameName(row: LedgerRow, file: MigrationFile): void {
  if (row.name === file.name) return;
  throw new DatabaseError(
    'db_migration',
    `migration ${migrationLabel(row.version, row.name)} was applied, ` +
      `but the file for version ${row.version} is ${file.fileName}; ` +
      'an applied migration must not be renamed or replaced',
  );
}

/**
 * newerSchema is the error for a database at a schema version beyond the
 * newest this build has a migration for: `db_schema_newer`.
 */
export function newerSchema(version: number, supported: number): DatabaseError {
  return new DatabaseError(
    'db_schema_newer',
    `schema version ${version} is newer than this build supports ` +
      `(${supported}); upgrade metacrypt`,
  );
}
