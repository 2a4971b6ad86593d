// Reads the migration files (NNNN_snake_name.sql) from a directory and
// checks that they form the sequence 1..N before any of them is run.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { DatabaseError } from '../errors/index.js';
import { failureReason } from './step-error.js';

/** MigrationFile is one schema change, read from NNNN_name.sql. */
export interface MigrationFile {
  /** The schema version this file brings the database to (NNNN). */
  readonly version: number;
  /** The snake_case name after the number, as schema_migrations records it. */
  readonly name: string;
  /** The file name, as messages show it. */
  readonly fileName: string;
  /** The SQL text, run as one transaction. */
  readonly sql: string;
}

// Four digits, an underscore, then lowercase words joined by single
// underscores. Anything else is a mistake worth stopping for: a file that
// is quietly skipped is a schema change that never happens.
const FILE_NAME = /^(\d{4})_([a-z0-9]+(?:_[a-z0-9]+)*)\.sql$/;

/**
 * migrationLabel formats a migration as its file name without `.sql`,
 * as in `0002_add_leases`.
 */
export function migrationLabel(version: number, name: string): string {
  return `${versionDigits(version)}_${name}`;
}

function versionDigits(version: number): string {
  return String(version).padStart(4, '0');
}

/**
 * readMigrationFiles returns the migrations found in directory, ordered by
 * version. Every entry must be a migration file, except dot files (editor
 * and OS litter). It throws DatabaseError `db_migration` naming the file
 * for a bad name, a duplicate number, a gap in 1..N, an empty file or one
 * that cannot be read.
 */
export function readMigrationFiles(directory: string): MigrationFile[] {
  // Step 1: list and parse the names.
  const parsed = listFileNames(directory).map((fileName) => {
    const match = FILE_NAME.exec(fileName);
    if (match === null) {
      throw fileError(fileName, 'name is not NNNN_snake_case_name.sql');
    }
    const [, digits = '', name = ''] = match;
    return { version: Number(digits), name, fileName };
  });
  parsed.sort((a, b) => a.version - b.version || cmp(a.fileName, b.fileName));

  // Step 2: the numbers must run 1, 2, ... N, each used once.
  parsed.forEach((file, index) => {
    const previous = parsed[index - 1];
    if (previous?.version === file.version) {
      throw fileError(
        file.fileName,
        `number is already used by ${previous.fileName}`,
      );
    }
    if (file.version !== index + 1) {
      throw fileError(
        file.fileName,
        `expected number ${versionDigits(index + 1)}; ` +
          'migrations are numbered from 0001 without gaps',
      );
    }
  });

  // Step 3: read the SQL.
  return parsed.map((file) => ({
    ...file,
    sql: readSql(directory, file.fileName),
  }));
}

function listFileNames(directory: string): string[] {
  try {
    return readdirSync(directory).filter((name) => !name.startsWith('.'));
  } catch (err) {
    throw new DatabaseError(
      'db_migration',
      `migrations directory: ${failureReason(err)} (${directory})`,
      { cause: err },
    );
  }
}

function readSql(directory: string, fileName: string): string {
  let sql: string;
  try {
    sql = readFileSync(join(directory, fileName), 'utf8');
  } catch (err) {
    throw fileError(fileName, failureReason(err), err);
  }
  if (sql.trim() === '') throw fileError(fileName, 'file is empty');
  return sql;
}

function fileError(
  fileName: string,
  detail: string,
  cause?: unknown,
): DatabaseError {
  const message = `migration file ${fileName}: ${detail}`;
  return cause === undefined
    ? new DatabaseError('db_migration', message)
    : new DatabaseError('db_migration', message, { cause });
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
