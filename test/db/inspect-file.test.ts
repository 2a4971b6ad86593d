// inspectDatabaseFile and withPrivateCopy: a file is checked without a
// byte written to it or beside it, and every way it can be wrong is named.
import assert from 'node:assert/strict';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import BetterSqlite3 from 'better-sqlite3';

import {
  inspectDatabaseFile,
  openMigratedDatabase,
  snapshot,
  withPrivateCopy,
} from '../../src/db/index.js';
import { DatabaseError } from '../../src/errors/index.js';
import { makeTempDir, modeOf, removeDir } from './scratch.js';

// What a directory holds and each file's bytes, to compare before/after.
function contents(dir: string): Map<string, string> {
  return new Map(
    readdirSync(dir)
      .sort()
      .map((name) => [name, readFileSync(join(dir, name)).toString('hex')]),
  );
}

async function rejection(promise: Promise<unknown>): Promise<DatabaseError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof DatabaseError, String(err));
    return err;
  }
  assert.fail('expected a DatabaseError');
}

describe('inspectDatabaseFile', () => {
  let dir: string;
  let snap: string;
  before(() => {
    dir = makeTempDir();
    // A snapshot in a directory of its own, so nothing else changes it.
    snap = join(dir, 'snaps', 'snap.db');
    mkdirSync(dirname(snap));
    const { db } = openMigratedDatabase(join(dir, 'live.db'));
    try {
      snapshot(db, snap);
    } finally {
      db.close();
    }
  });
  after(() => {
    removeDir(dir);
  });

  it('reports the schema version of a snapshot and writes nothing', async () => {
    const before = contents(dirname(snap));
    const report = await inspectDatabaseFile(snap);
    assert.deepEqual(report, {
      path: snap,
      schemaVersion: 1,
      supportedVersion: 1,
      initialized: false,
    });
    assert.deepEqual(contents(dirname(snap)), before);
  });

  it('checks a file in WAL mode as a copy, leaving no -wal beside it', async () => {
    const live = join(dir, 'live.db');
    const before = readdirSync(dir).sort();
    assert.ok(!before.includes('live.db-wal'), 'the writer closed cleanly');
    const report = await inspectDatabaseFile(live);
    assert.equal(report.schemaVersion, 1);
    assert.deepEqual(readdirSync(dir).sort(), before);
  });

  it('lists the problems SQLite finds, first one and a count', async () => {
    const path = join(dir, 'bad-index.db');
    const db = new BetterSqlite3(path);
    db.exec(
      'CREATE TABLE t (x, y); CREATE INDEX i ON t (x);' +
        'INSERT INTO t VALUES (1, 2), (3, 4);',
    );
    // The index now claims to cover y, which it was not built from.
    // Unsafe mode lifts SQLite's defensive flag, which guards the schema.
    db.unsafeMode(true);
    db.pragma('writable_schema = ON');
    db.prepare(
      "UPDATE sqlite_schema SET sql = 'CREATE INDEX i ON t (y)' " +
        "WHERE name = 'i'",
    ).run();
    db.close();

    const err = await rejection(inspectDatabaseFile(path));
    assert.equal(err.code, 'db_integrity');
    assert.equal(
      err.message,
      `db: integrity check failed: row 1 missing from index i ` +
        `(and 1 more) (${path})`,
    );
  });

  it('reports a damaged page as a failed integrity check', async () => {
    const path = join(dir, 'damaged.db');
    const bytes = readFileSync(snap);
    // Page 2 is the first table's root page; page size is 4096.
    bytes.fill(0xff, 4096, 4096 + 256);
    writeFileSync(path, bytes);
    const err = await rejection(inspectDatabaseFile(path));
    assert.equal(err.code, 'db_integrity');
    assert.equal(
      err.message,
      `db: integrity check failed: database disk image is malformed (${path})`,
    );
  });

  it('refuses a file that is not SQLite, or empty', async () => {
    for (const [name, text] of [
      ['text.db', 'hello, this is not a database\n'],
      ['empty.db', ''],
    ] as const) {
      const path = join(dir, name);
      writeFileSync(path, text);
      const err = await rejection(inspectDatabaseFile(path));
      assert.equal(err.code, 'db_open');
      assert.equal(err.message, `db: open: file is not a database (${path})`);
    }
  });

  it('names a missing file and a directory', async () => {
    const missing = join(dir, 'missing.db');
    const err = await rejection(inspectDatabaseFile(missing));
    assert.equal(err.code, 'db_open');
    assert.equal(
      err.message,
      `db: open: no such file or directory (${missing})`,
    );
    const isDir = await rejection(inspectDatabaseFile(dir));
    assert.equal(isDir.message, `db: open: is a directory (${dir})`);
  });

  it('refuses SQLite that Metacrypt never migrated', async () => {
    const path = join(dir, 'plain.db');
    const db = new BetterSqlite3(path);
    db.exec('CREATE TABLE t (x)');
    db.close();
    const err = await rejection(inspectDatabaseFile(path));
    assert.equal(err.code, 'db_open');
    assert.equal(
      err.message,
      `db: open: not a metacrypt database: it has no schema version (${path})`,
    );
  });

  it('refuses a schema newer than this build', async () => {
    const path = join(dir, 'newer.db');
    writeFileSync(path, readFileSync(snap));
    const db = new BetterSqlite3(path);
    db.prepare(
      'INSERT INTO schema_migrations (version, name, applied_at) ' +
        "VALUES (7, 'future', '2030-01-01T00:00:00.000Z')",
    ).run();
    db.close();
    const err = await rejection(inspectDatabaseFile(path));
    assert.equal(err.code, 'db_schema_newer');
    assert.equal(
      err.message,
      'db: schema version 7 is newer than this build supports (1); ' +
        'upgrade metacrypt',
    );
  });
});

describe('withPrivateCopy', () => {
  let dir: string;
  before(() => {
    dir = makeTempDir();
  });
  after(() => {
    removeDir(dir);
  });

  it('hands over an owner-only copy and removes it afterwards', async () => {
    const original = join(dir, 'original.db');
    writeFileSync(original, 'some bytes', { mode: 0o644 });
    let seen = '';
    const result = await withPrivateCopy(original, (copy) => {
      seen = copy;
      assert.notEqual(copy, original);
      assert.equal(readFileSync(copy, 'utf8'), 'some bytes');
      assert.equal(modeOf(copy), 0o600);
      assert.equal(modeOf(dirname(copy)), 0o700);
      return 42;
    });
    assert.equal(result, 42);
    assert.ok(!existsSync(dirname(seen)));
  });

  it('removes the copy when the work fails too', async () => {
    const original = join(dir, 'failing.db');
    writeFileSync(original, 'x');
    let seen = '';
    await assert.rejects(
      withPrivateCopy(original, (copy) => {
        seen = copy;
        throw new Error('boom');
      }),
      /boom/,
    );
    assert.ok(seen !== '' && !existsSync(dirname(seen)));
  });

  it('names a file it cannot copy', async () => {
    const missing = join(dir, 'missing.db');
    const err = await rejection(withPrivateCopy(missing, () => 1));
    assert.equal(err.code, 'db_open');
    assert.equal(
      err.message,
      `db: copy: no such file or directory (${missing})`,
    );
  });
});
