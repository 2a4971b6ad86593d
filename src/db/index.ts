// The database module's public surface: open, migrate, snapshot and check
// the vault's SQLite file.
export type { Database, Statement } from 'better-sqlite3';
export { inspectDatabaseFile } from './inspect-file.js';
export type { FileReport } from './inspect-file.js';
export { migrate, newerSchema, schemaVersion } from './migrate.js';
export type { MigrateOptions, MigrationSummary } from './migrate.js';
export { migrationLabel, readMigrationFiles } from './migration-files.js';
export type { MigrationFile } from './migration-files.js';
export { DEFAULT_BUSY_TIMEOUT_MS, openDatabase } from './open-database.js';
export { openMigratedDatabase } from './open-migrated.js';
export type { MigratedDatabase } from './open-migrated.js';
export type { OpenDatabaseOptions } from './open-database.js';
export { FILE_MODE } from './private-file.js';
export { withPrivateCopy } from './private-copy.js';
export { snapshot } from './snapshot.js';
export type { SnapshotResult } from './snapshot.js';
