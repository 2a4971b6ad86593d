// migrations/0001_initial.sql: the four tables of DESIGN.md §3, their
// constraints, and the foreign key from entries to key versions.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { migrate, openDatabase } from '../../src/db/index.js';
import type { Database } from '../../src/db/index.js';
import { makeTempDir, removeDir } from './scratch.js';

interface Column {
  readonly name: string;
  readonly type: string;
  readonly notnull: number;
  readonly pk: number;
}

const NOW = '2025-01-02T03:04:05.678Z';

describe('migration 0001_initial', () => {
  let dir: string;
  let db: Database;
  before(() => {
    dir = makeTempDir();
    db = openDatabase(join(dir, 'vault.db'));
    // The default directory: the project's own migrations/.
    assert.deepEqual(migrate(db), {
      from: 0,
      to: 1,
      applied: ['0001_initial'],
    });
  });
  after(() => {
    db.close();
    removeDir(dir);
  });

  function columns(table: string): string[] {
    // name type, then NOT NULL and PK n where they apply.
    return db
      .prepare<[string], Column>('SELECT * FROM pragma_table_info(?)')
      .all(table)
      .map((c) =>
        [c.name, c.type, c.notnull ? 'not null' : '', c.pk ? `pk ${c.pk}` : '']
          .filter((part) => part !== '')
          .join(' '),
      );
  }

  it('creates the four tables, all STRICT', () => {
    const tables = db
      .prepare<[], { name: string; strict: number }>(
        "SELECT name, strict FROM pragma_table_list WHERE schema = 'main' " +
          "AND name NOT LIKE 'sqlite_%' ORDER BY name",
      )
      .all();
    assert.deepEqual(tables, [
      { name: 'barrier_entries', strict: 1 },
      { name: 'barrier_keys', strict: 1 },
      { name: 'schema_migrations', strict: 1 },
      { name: 'seal_config', strict: 1 },
      { name: 'unseal_attempts', strict: 1 },
    ]);
  });

  it('gives seal_config its columns', () => {
    assert.deepEqual(columns('seal_config'), [
      'id INTEGER pk 1',
      'salt BLOB not null',
      'argon2_time INTEGER not null',
      'argon2_memory_kib INTEGER not null',
      'argon2_threads INTEGER not null',
      'argon2_key_length INTEGER not null',
      'sealed_mek BLOB not null',
      'mek_version INTEGER not null',
      'created_at TEXT not null',
      'rekeyed_at TEXT',
    ]);
  });

  it('gives unseal_attempts its columns and an index on failed_at', () => {
    assert.deepEqual(columns('unseal_attempts'), [
      'id INTEGER pk 1',
      'failed_at INTEGER not null',
      'lockout_until INTEGER',
    ]);
    assert.deepEqual(indexedColumns('unseal_attempts'), [['failed_at']]);
  });

  it('gives barrier_keys its columns, keyed by id and version', () => {
    assert.deepEqual(columns('barrier_keys'), [
      'key_id TEXT not null pk 1',
      'version INTEGER not null pk 2',
      'sealed_dek BLOB not null',
      'created_at TEXT not null',
      'rotated_at TEXT',
    ]);
  });

  it('gives barrier_entries its columns and an index on the key', () => {
    assert.deepEqual(columns('barrier_entries'), [
      // A STRICT table makes a PRIMARY KEY column NOT NULL by itself.
      'path TEXT not null pk 1',
      'key_id TEXT not null',
      'key_version INTEGER not null',
      'ciphertext BLOB not null',
      'updated_at TEXT not null',
    ]);
    assert.deepEqual(indexedColumns('barrier_entries'), [
      ['key_id', 'key_version'],
      ['path'],
    ]);
  });

  it('keeps seal_config to a single row', () => {
    const insert = db.prepare(
      'INSERT INTO seal_config (id, salt, argon2_time, argon2_memory_kib, ' +
        'argon2_threads, argon2_key_length, sealed_mek, created_at) ' +
        'VALUES (?, randomblob(16), 3, 131072, 4, 32, randomblob(60), ?)',
    );
    inRollback(() => {
      insert.run(1, NOW);
      assert.throws(() => insert.run(1, NOW), /UNIQUE constraint failed/);
      assert.throws(() => insert.run(2, NOW), /CHECK constraint failed/);
      const row = db
        .prepare('SELECT mek_version, rekeyed_at FROM seal_config')
        .get();
      assert.deepEqual(row, { mek_version: 1, rekeyed_at: null });
    });
  });

  it('rejects Argon2id parameters outside RFC 9106 limits', () => {
    const insert = db.prepare(
      'INSERT INTO seal_config (id, salt, argon2_time, argon2_memory_kib, ' +
        'argon2_threads, argon2_key_length, sealed_mek, created_at) ' +
        'VALUES (1, randomblob(?), ?, ?, ?, 32, randomblob(60), ?)',
    );
    // salt length, time, memory KiB, threads
    const bad: [number, number, number, number][] = [
      [4, 3, 65536, 4],
      [16, 0, 65536, 4],
      [16, 3, 16, 4],
      [16, 3, 65536, 0],
    ];
    inRollback(() => {
      for (const params of bad) {
        assert.throws(
          () => insert.run(...params, NOW),
          /CHECK constraint failed/,
          params.join(','),
        );
      }
    });
  });

  it('rejects a timestamp SQLite cannot read as a date', () => {
    inRollback(() => {
      assert.throws(
        () =>
          db
            .prepare(
              "INSERT INTO barrier_keys VALUES ('system', 1, x'01', ?, NULL)",
            )
            .run('yesterday'),
        /CHECK constraint failed/,
      );
    });
  });

  it('rejects a value of the wrong type', () => {
    inRollback(() => {
      assert.throws(
        () =>
          db
            .prepare('INSERT INTO unseal_attempts (failed_at) VALUES (?)')
            .run('soon'),
        /cannot store TEXT value in INTEGER column/,
      );
    });
  });

  it('rejects an entry whose key version does not exist', () => {
    inRollback(() => {
      addKey('system', 1);
      addEntry('sys/mounts/a', 'system', 1);
      assert.throws(() => {
        addEntry('sys/mounts/b', 'system', 2);
      }, /FOREIGN KEY constraint failed/);
      assert.throws(() => {
        addEntry('sys/mounts/c', 'engine/transit', 1);
      }, /FOREIGN KEY constraint failed/);
    });
  });

  it('refuses to delete a key version while entries use it', () => {
    const remove = db.prepare(
      'DELETE FROM barrier_keys WHERE key_id = ? AND version = ?',
    );
    inRollback(() => {
      addKey('engine/transit', 1);
      addKey('engine/transit', 2);
      addEntry('engine/transit/keys/k', 'engine/transit', 2);
      assert.throws(
        () => remove.run('engine/transit', 2),
        /FOREIGN KEY constraint failed/,
      );
      // An unused version can go, and so can the other once it is unused.
      assert.equal(remove.run('engine/transit', 1).changes, 1);
      db.prepare('DELETE FROM barrier_entries').run();
      assert.equal(remove.run('engine/transit', 2).changes, 1);
    });
  });

  function addKey(keyId: string, version: number): void {
    db.prepare(
      'INSERT INTO barrier_keys (key_id, version, sealed_dek, created_at) ' +
        'VALUES (?, ?, randomblob(60), ?)',
    ).run(keyId, version, NOW);
  }

  function addEntry(path: string, keyId: string, version: number): void {
    db.prepare(
      'INSERT INTO barrier_entries ' +
        '(path, key_id, key_version, ciphertext, updated_at) ' +
        'VALUES (?, ?, ?, randomblob(40), ?)',
    ).run(path, keyId, version, NOW);
  }

  // Runs fn in a transaction that is always rolled back, so that each test
  // starts from the empty schema.
  function inRollback(fn: () => void): void {
    db.exec('BEGIN');
    try {
      fn();
    } finally {
      db.exec('ROLLBACK');
    }
  }

  // The columns of each index on table, sorted by their first column.
  function indexedColumns(table: string): string[][] {
    return db
      .prepare<[string], { name: string }>(
        'SELECT name FROM pragma_index_list(?)',
      )
      .all(table)
      .map(({ name }) =>
        db
          .prepare<[string], string>('SELECT name FROM pragma_index_info(?)')
          .pluck()
          .all(name),
      )
      .sort((a, b) => (a.join() < b.join() ? -1 : 1));
  }
});
