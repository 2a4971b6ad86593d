// migrate: order, idempotence, failure and rollback, the checks on file
// names and history, and two processes migrating one database at once.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { migrate, openDatabase, schemaVersion } from '../../src/db/index.js';
import type { Database, MigrationSummary } from '../../src/db/index.js';
import {
  databaseErrorOf,
  fixturePath,
  makeTempDir,
  removeDir,
  runNode,
  writeMigrations,
} from './scratch.js';

describe('migrate', () => {
  let root: string;
  let count = 0;
  before(() => {
    root = makeTempDir();
  });
  after(() => {
    removeDir(root);
  });

  const migrations = (files: Record<string, string>): string =>
    writeMigrations(root, files);

  // A fresh database; closed by the test through using().
  function using<T>(fn: (db: Database, path: string) => T): T {
    const path = join(root, `db-${++count}.db`);
    const db = openDatabase(path);
    try {
      return fn(db, path);
    } finally {
      db.close();
    }
  }

  const twoSteps = {
    '0001_create_notes.sql':
      'CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT) STRICT;',
    // Needs the table of 0001, so it only works in order.
    '0002_add_author.sql':
      "ALTER TABLE notes ADD COLUMN author TEXT NOT NULL DEFAULT 'nobody';",
  };

  it('applies migrations in order and records each one', () => {
    const directory = migrations(twoSteps);
    using((db) => {
      const summary = migrate(db, { directory });
      assert.deepEqual(summary, {
        from: 0,
        to: 2,
        applied: ['0001_create_notes', '0002_add_author'],
      });
      const rows = db
        .prepare<[], { version: number; name: string; applied_at: string }>(
          'SELECT * FROM schema_migrations ORDER BY version',
        )
        .all();
      assert.deepEqual(
        rows.map((r) => [r.version, r.name]),
        [
          [1, 'create_notes'],
          [2, 'add_author'],
        ],
      );
      for (const row of rows) {
        assert.equal(new Date(row.applied_at).toISOString(), row.applied_at);
      }
      assert.equal(schemaVersion(db), 2);
    });
  });

  it('changes nothing when run a second time', () => {
    const directory = migrations(twoSteps);
    using((db) => {
      migrate(db, { directory });
      const before = dump(db);
      assert.deepEqual(migrate(db, { directory }), {
        from: 2,
        to: 2,
        applied: [],
      });
      assert.deepEqual(dump(db), before);
    });
  });

  it('applies only the migrations added since the last run', () => {
    const first = migrations({
      '0001_create_notes.sql': twoSteps['0001_create_notes.sql'],
    });
    const both = migrations(twoSteps);
    using((db) => {
      migrate(db, { directory: first });
      assert.deepEqual(migrate(db, { directory: both }), {
        from: 1,
        to: 2,
        applied: ['0002_add_author'],
      });
    });
  });

  it('reports version 0 for a database never migrated', () => {
    using((db) => {
      assert.equal(schemaVersion(db), 0);
    });
  });

  it('stays at the previous version when a migration fails', () => {
    const directory = migrations({
      '0001_create_notes.sql':
        twoSteps['0001_create_notes.sql'] +
        "INSERT INTO notes (body) VALUES ('kept');",
      '0002_broken.sql':
        'CREATE TABLE half_done (x INTEGER) STRICT;\n' +
        'INSERT INTO no_such_table VALUES (1);',
    });
    using((db) => {
      const err = databaseErrorOf(() => migrate(db, { directory }));
      assert.equal(err.code, 'db_migration');
      assert.equal(
        err.message,
        'db: migration 0002_broken failed: no such table: no_such_table',
      );
      assert.equal(schemaVersion(db), 1);
      assert.deepEqual(tableNames(db), ['notes', 'schema_migrations']);
      assert.deepEqual(db.prepare('SELECT body FROM notes').all(), [
        { body: 'kept' },
      ]);
      assert.equal(db.inTransaction, false);
    });
  });

  it('reports a missing migrations directory', () => {
    const directory = join(root, 'no-such-directory');
    using((db) => {
      const err = databaseErrorOf(() => migrate(db, { directory }));
      assert.equal(err.code, 'db_migration');
      assert.equal(
        err.message,
        `db: migrations directory: no such file or directory (${directory})`,
      );
    });
  });

  it('refuses a database migrated further than the files go', () => {
    const three = migrations({
      '0001_a.sql': 'CREATE TABLE a (x INTEGER) STRICT;',
      '0002_b.sql': 'CREATE TABLE b (x INTEGER) STRICT;',
      '0003_c.sql': 'CREATE TABLE c (x INTEGER) STRICT;',
    });
    const one = migrations({
      '0001_a.sql': 'CREATE TABLE a (x INTEGER) STRICT;',
    });
    using((db) => {
      migrate(db, { directory: three });
      const err = databaseErrorOf(() => migrate(db, { directory: one }));
      assert.equal(err.code, 'db_schema_newer');
      assert.equal(
        err.message,
        'db: schema version 3 is newer than this build supports (1); ' +
          'upgrade metacrypt',
      );
      assert.equal(schemaVersion(db), 3);
    });
  });

  it('refuses an applied migration whose file was renamed', () => {
    const original = migrations({ '0001_a.sql': 'SELECT 1;' });
    const renamed = migrations({ '0001_b.sql': 'SELECT 1;' });
    using((db) => {
      migrate(db, { directory: original });
      const err = databaseErrorOf(() => migrate(db, { directory: renamed }));
      assert.equal(err.code, 'db_migration');
      assert.equal(
        err.message,
        'db: migration 0001_a was applied, but the file for version 1 is ' +
          '0001_b.sql; an applied migration must not be renamed or replaced',
      );
    });
  });

  it('applies each migration once when two processes race', async () => {
    // Each migration takes a little while, and 0003 and 0005 only insert,
    // so running one twice would show as doubled rows, not only as an error.
    const fill = (table: string): string =>
      `INSERT INTO ${table} (x) WITH RECURSIVE n(i) AS ` +
      '(SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000) ' +
      'SELECT i FROM n;';
    const directory = migrations({
      '0001_a.sql': 'CREATE TABLE a (x INTEGER) STRICT;' + fill('a'),
      '0002_b.sql': 'CREATE TABLE b (x INTEGER) STRICT;' + fill('b'),
      '0003_more_a.sql': fill('a'),
      '0004_c.sql': 'CREATE TABLE c (x INTEGER) STRICT;' + fill('c'),
      '0005_more_c.sql': fill('c'),
    });
    const path = join(root, 'concurrent.db');
    const startAt = String(Date.now() + 400);
    const children = await Promise.all(
      [1, 2].map(() =>
        runNode(fixturePath('migrate-child'), [path, directory, startAt]),
      ),
    );

    const summaries = children.map((child) => {
      assert.equal(child.status, 0, child.stderr);
      return JSON.parse(child.stdout) as MigrationSummary;
    });
    for (const summary of summaries) assert.equal(summary.to, 5);
    const applied = summaries.flatMap((s) => s.applied).sort();
    assert.deepEqual(applied, [
      '0001_a',
      '0002_b',
      '0003_more_a',
      '0004_c',
      '0005_more_c',
    ]);

    const db = openDatabase(path);
    try {
      const versions = db
        .prepare('SELECT version FROM schema_migrations ORDER BY version')
        .pluck()
        .all();
      assert.deepEqual(versions, [1, 2, 3, 4, 5]);
      for (const [table, rows] of [
        ['a', 40000],
        ['b', 20000],
        ['c', 40000],
      ] as const) {
        const n = db.prepare(`SELECT count(*) FROM ${table}`).pluck().get();
        assert.equal(n, rows, `rows in ${table}`);
      }
    } finally {
      db.close();
    }
  });
});

// Everything that a migration run could change: the schema and the ledger.
function dump(db: Database): unknown {
  return {
    schema: db
      .prepare(
        'SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY name',
      )
      .all(),
    ledger: db
      .prepare('SELECT * FROM schema_migrations ORDER BY version')
      .all(),
  };
}

function tableNames(db: Database): string[] {
  return db
    .prepare<[], string>(
      "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name",
    )
    .pluck()
    .all();
}
