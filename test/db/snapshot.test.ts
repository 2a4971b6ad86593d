// snapshot: a complete, private, consistent copy that never overwrites
// anything, even while another process keeps writing.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';

import BetterSqlite3 from 'better-sqlite3';

import { openDatabase, snapshot } from '../../src/db/index.js';
import type { Database } from '../../src/db/index.js';
import {
  databaseErrorOf,
  fixturePath,
  makeTempDir,
  modeOf,
  removeDir,
  withUmask,
} from './scratch.js';

describe('snapshot', () => {
  let dir: string;
  let db: Database;
  before(() => {
    dir = makeTempDir();
    db = openDatabase(join(dir, 'vault.db'));
    db.exec(
      'CREATE TABLE items (id INTEGER PRIMARY KEY, body BLOB NOT NULL) STRICT',
    );
    const insert = db.prepare('INSERT INTO items (body) VALUES (?)');
    for (let i = 0; i < 100; i++) insert.run(Buffer.from(`item ${i}`));
    // Deleted rows must not reach the copy (VACUUM drops them).
    db.prepare('DELETE FROM items WHERE id > 90').run();
  });
  after(() => {
    db.close();
    removeDir(dir);
  });

  it('writes a copy that opens, holds the same rows and checks out', () => {
    const path = join(dir, 'copy.db');
    const result = snapshot(db, path);
    assert.deepEqual(result, { path, bytes: statSync(path).size });
    withReadOnly(path, (copy) => {
      assert.equal(copy.pragma('integrity_check', { simple: true }), 'ok');
      const all = 'SELECT * FROM items ORDER BY id';
      assert.deepEqual(copy.prepare(all).all(), db.prepare(all).all());
    });
  });

  it('gives the copy mode 0600 even under umask 0', () => {
    const path = join(dir, 'private.db');
    withUmask(0o000, () => snapshot(db, path));
    assert.equal(modeOf(path), 0o600);
  });

  it('resolves a relative output path to an absolute one', () => {
    const absolute = join(dir, 'relative.db');
    const result = snapshot(db, relative(process.cwd(), absolute));
    assert.equal(result.path, absolute);
  });

  it('refuses an existing output file and leaves it untouched', () => {
    const path = join(dir, 'taken.db');
    const original = Buffer.from('an operator file that must survive');
    writeFileSync(path, original);
    const err = databaseErrorOf(() => snapshot(db, path));
    assert.equal(err.code, 'db_snapshot');
    assert.equal(err.message, `db: snapshot: ${path} already exists`);
    assert.deepEqual(readFileSync(path), original);
  });

  it('refuses an existing empty output file too', () => {
    const path = join(dir, 'empty.db');
    writeFileSync(path, '');
    const err = databaseErrorOf(() => snapshot(db, path));
    assert.equal(err.message, `db: snapshot: ${path} already exists`);
    assert.equal(statSync(path).size, 0);
  });

  it('reports a missing output directory', () => {
    const path = join(dir, 'missing', 'copy.db');
    const err = databaseErrorOf(() => snapshot(db, path));
    assert.equal(err.code, 'db_snapshot');
    assert.equal(
      err.message,
      `db: snapshot: no such file or directory (${path})`,
    );
  });

  it('reports a snapshot attempted inside a transaction', () => {
    const path = join(dir, 'in-transaction.db');
    db.exec('BEGIN');
    try {
      const err = databaseErrorOf(() => snapshot(db, path));
      assert.equal(
        err.message,
        `db: snapshot: cannot VACUUM from within a transaction (${path})`,
      );
    } finally {
      db.exec('ROLLBACK');
    }
  });

  it('leaves no temporary files behind', () => {
    const leftovers = readdirSync(dir).filter((name) => name.endsWith('.tmp'));
    assert.deepEqual(leftovers, []);
  });

  it('copies whole transactions while another process writes', async () => {
    const path = join(dir, 'busy.db');
    const setup = openDatabase(path);
    setup.exec(
      'CREATE TABLE batches (id INTEGER PRIMARY KEY, ' +
        'txn INTEGER NOT NULL, payload BLOB NOT NULL) STRICT',
    );

    // The writer commits transactions of 10 rows each, all marked with the
    // transaction's number, until its standard input closes.
    const writer = spawn(
      process.execPath,
      [fixturePath('writer-child'), path],
      {
        stdio: ['pipe', 'pipe', 'inherit'],
      },
    );
    const [ready] = (await once(writer.stdout, 'data')) as [Buffer];
    assert.equal(ready.toString().trim(), 'ready');

    const copies: string[] = [];
    try {
      for (let i = 0; i < 6; i++) {
        await delay(25);
        copies.push(snapshot(setup, join(dir, `busy-${i}.db`)).path);
      }
    } finally {
      writer.stdin.end();
      await once(writer, 'close');
      setup.close();
    }

    const counts = copies.map((copyPath) =>
      withReadOnly(copyPath, (copy) => {
        assert.equal(copy.pragma('integrity_check', { simple: true }), 'ok');
        const torn = copy
          .prepare('SELECT txn FROM batches GROUP BY txn HAVING count(*) <> 10')
          .all();
        assert.deepEqual(torn, [], `torn transactions in ${copyPath}`);
        const count = copy
          .prepare<[], number>('SELECT count(*) FROM batches')
          .pluck()
          .get();
        assert.ok(count !== undefined && count % 10 === 0);
        return count;
      }),
    );
    // The copies were taken while rows kept arriving.
    assert.ok(counts.every((n, i) => i === 0 || n >= (counts[i - 1] ?? 0)));
    assert.ok((counts.at(-1) ?? 0) > (counts[0] ?? 0), counts.join(' '));
  });
});

function withReadOnly<T>(path: string, fn: (db: Database) => T): T {
  const db = new BetterSqlite3(path, { readonly: true, fileMustExist: true });
  try {
    return fn(db);
  } finally {
    db.close();
  }
}
