// Opens the vault's database and brings its schema up to date: what the
// server does at start and every offline command before it reads a row.
import type { Database } from 'better-sqlite3';

import { migrate } from './migrate.js';
import type { MigrateOptions, MigrationSummary } from './migrate.js';
import { openDatabase } from './open-database.js';
import type { OpenDatabaseOptions } from './open-database.js';

/** MigratedDatabase is an open connection and what migrating it did. */
export interface MigratedDatabase {
  readonly db: Database;
  readonly migration: MigrationSummary;
}

/**
 * openMigratedDatabase opens the database at path and runs every pending
 * migration. A database migrated by a newer build is refused
 * (`db_schema_newer`), so old code never writes to a schema it does not
 * know. On any failure the connection is closed before the error is
 * thrown; on success the caller owns it.
 */
export function openMigratedDatabase(
  path: string,
  options: OpenDatabaseOptions & MigrateOptions = {},
): MigratedDatabase {
  const db = openDatabase(path, options);
  try {
    return { db, migration: migrate(db, options) };
  } catch (err) {
    db.close();
    throw err;
  }
}
