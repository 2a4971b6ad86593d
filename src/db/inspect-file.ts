// Checks a database file (a snapshot, typically) without writing to it:
// SQLite's integrity check, the schema version, whether it holds a vault.
import { closeSync, constants, openSync, readSync } from 'node:fs';
import { resolve } from 'node:path';

import BetterSqlite3 from 'better-sqlite3';
import type { Database } from 'better-sqlite3';

import { DatabaseError } from '../errors/index.js';
import { projectPath } from '../paths.js';
import { newerSchema, schemaVersion } from './migrate.js';
import type { MigrateOptions } from './migrate.js';
import { readMigrationFiles } from './migration-files.js';
import { withPrivateCopy } from './private-copy.js';
import { failureReason, stepError } from './step-error.js';

/** FileReport is what inspectDatabaseFile found in a sound file. */
export interface FileReport {
  /** The absolute path of the file checked. */
  readonly path: string;
  /** The schema version the file records. */
  readonly schemaVersion: number;
  /** The newest schema version this build has a migration for. */
  readonly supportedVersion: number;
  /** Whether the vault in it was initialized (it has a sealed MEK). */
  readonly initialized: boolean;
}

// The first 16 bytes of every SQLite database file (file format §1.3.1),
// and the offsets of its write and read format versions, which are 2 for
// a database in WAL mode and 1 otherwise.
const MAGIC = Buffer.from('SQLite format 3\0', 'latin1');
const HEADER_BYTES = 100;
const WRITE_VERSION_AT = 18;
const READ_VERSION_AT = 19;
const WAL_FORMAT = 2;

// How many problems integrity_check lists before it stops; the report
// names the first and counts the rest.
const MAX_PROBLEMS = 100;

/**
 * inspectDatabaseFile runs PRAGMA integrity_check on the file at path and
 * reads its schema version, never writing to it or beside it.
 *
 * A read-only connection to a file in rollback-journal mode, which is
 * what VACUUM INTO (and so every snapshot) writes, reads it and nothing
 * else. A file in WAL mode is different: even read-only, SQLite creates
 * the -wal and -shm files beside it. Such a file (a live database copied
 * by hand, say) is therefore checked as a private copy.
 *
 * It throws DatabaseError `db_open` for a file that cannot be read or is
 * not a Metacrypt database, `db_integrity` when SQLite finds it damaged,
 * and `db_schema_newer` when a newer build wrote it.
 */
export async function inspectDatabaseFile(
  file: string,
  options: MigrateOptions = {},
): Promise<FileReport> {
  const path = resolve(file);
  const supportedVersion = readMigrationFiles(
    options.directory ?? projectPath('migrations'),
  ).length;

  // Step 1: the header says whether this is SQLite at all, and its mode.
  const header = readHeader(path);
  if (!header.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new DatabaseError(
      'db_open',
      `open: file is not a database (${path})`,
    );
  }
  const wal =
    header[WRITE_VERSION_AT] === WAL_FORMAT ||
    header[READ_VERSION_AT] === WAL_FORMAT;

  // Step 2: check it in place, or as a copy when SQLite would write.
  const inspect = (target: string): FileReport => {
    const db = openReadOnly(target, path);
    try {
      return { path, supportedVersion, ...checkDatabase(db, path) };
    } finally {
      db.close();
    }
  };
  const report = wal ? await withPrivateCopy(path, inspect) : inspect(path);

  // Step 3: a newer schema may hold what this build cannot read.
  if (report.schemaVersion > supportedVersion) {
    throw newerSchema(report.schemaVersion, supportedVersion);
  }
  return report;
}

// Reads the 100-byte header; a shorter file gets zeros after its end,
// which fail the magic check. Directories fail the read with EISDIR.
function readHeader(path: string): Buffer {
  const header = Buffer.alloc(HEADER_BYTES);
  try {
    const fd = openSync(path, constants.O_RDONLY);
    try {
      readSync(fd, header, 0, HEADER_BYTES, 0);
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    throw stepError('db_open', 'open', err, path);
  }
  return header;
}

function openReadOnly(target: string, path: string): Database {
  try {
    return new BetterSqlite3(target, { readonly: true, fileMustExist: true });
  } catch (err) {
    throw stepError('db_open', 'open', err, path);
  }
}

// Errors name the original path even when the copy is what was read.
function checkDatabase(
  db: Database,
  path: string,
): Pick<FileReport, 'schemaVersion' | 'initialized'> {
  try {
    // Step 1: every page, index and constraint, as SQLite sees them.
    const rows = db.pragma(`integrity_check(${String(MAX_PROBLEMS)})`) as {
      integrity_check: string;
    }[];
    const problems = rows.map((row) => row.integrity_check);
    if (problems.length !== 1 || problems[0] !== 'ok') {
      throw integrityFailure(problems, path);
    }

    // Step 2: a vault's schema, at a version that says what it holds.
    const version = schemaVersion(db);
    if (version === 0) {
      throw new DatabaseError(
        'db_open',
        `open: not a metacrypt database: it has no schema version (${path})`,
      );
    }
    // Init writes the seal configuration and the system DEK together, so
    // either proves it, as the key worker reads it.
    const sealed = db
      .prepare(
        `SELECT 1 WHERE EXISTS (SELECT 1 FROM seal_config)
           OR EXISTS (SELECT 1 FROM barrier_keys)`,
      )
      .get();
    return { schemaVersion: version, initialized: sealed !== undefined };
  } catch (err) {
    if (err instanceof DatabaseError) throw err;
    // SQLite can also fail the check outright (`database disk image is
    // malformed`) rather than list what it found.
    throw new DatabaseError(
      'db_integrity',
      `integrity check failed: ${failureReason(err)} (${path})`,
      { cause: err },
    );
  }
}

// SQLite's problem lines name pages, tables and indexes, never values.
// A multi-line problem is folded onto one line for the one-line report.
function integrityFailure(problems: string[], path: string): DatabaseError {
  const first = (problems[0] ?? 'no result').replace(/\s*\n\s*/g, '; ');
  const more =
    problems.length > 1 ? ` (and ${String(problems.length - 1)} more)` : '';
  return new DatabaseError(
    'db_integrity',
    `integrity check failed: ${first}${more} (${path})`,
  );
}
