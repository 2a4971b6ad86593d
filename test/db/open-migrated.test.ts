// Opening with migrations: a new file comes up at the newest schema, and a
// database from a newer build refuses to open.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import {
  openDatabase,
  openMigratedDatabase,
  readMigrationFiles,
  schemaVersion,
} from '../../src/db/index.js';
import { projectPath } from '../../src/paths.js';
import {
  databaseErrorOf,
  makeTempDir,
  removeDir,
  writeMigrations,
} from './scratch.js';

describe('openMigratedDatabase', () => {
  let root: string;
  before(() => {
    root = makeTempDir();
  });
  after(() => {
    removeDir(root);
  });

  it('opens a new file at the newest schema the project ships', () => {
    const newest = readMigrationFiles(projectPath('migrations')).length;
    const { db, migration } = openMigratedDatabase(join(root, 'new.db'));
    try {
      assert.equal(migration.from, 0);
      assert.equal(migration.to, newest);
      assert.equal(schemaVersion(db), newest);
    } finally {
      db.close();
    }

    const again = openMigratedDatabase(join(root, 'new.db'));
    again.db.close();
    assert.deepEqual(again.migration.applied, []);
  });

  it('refuses to open a database a newer build migrated', () => {
    const path = join(root, 'newer.db');
    const newer = writeMigrations(root, {
      '0001_a.sql': 'CREATE TABLE a (x INTEGER) STRICT;',
      '0002_b.sql': 'CREATE TABLE b (x INTEGER) STRICT;',
    });
    const older = writeMigrations(root, {
      '0001_a.sql': 'CREATE TABLE a (x INTEGER) STRICT;',
    });
    openMigratedDatabase(path, { directory: newer }).db.close();

    const err = databaseErrorOf(() =>
      openMigratedDatabase(path, { directory: older }),
    );
    assert.equal(err.code, 'db_schema_newer');
    assert.equal(
      err.message,
      'db: schema version 2 is newer than this build supports (1); ' +
        'upgrade metacrypt',
    );

    // Nothing was changed by the refused open.
    const db = openDatabase(path, { create: false });
    try {
      assert.equal(schemaVersion(db), 2);
    } finally {
      db.close();
    }
  });
});
