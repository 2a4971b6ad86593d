// openDatabase: the file's mode, the pragmas in force, and the message of
// each way opening can fail.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { openDatabase } from '../../src/db/index.js';
import {
  databaseErrorOf,
  fixturePath,
  makeTempDir,
  modeOf,
  removeDir,
  withUmask,
} from './scratch.js';

describe('openDatabase', () => {
  let dir: string;
  before(() => {
    dir = makeTempDir();
  });
  after(() => {
    removeDir(dir);
  });

  it('creates a new database file with mode 0600 even under umask 0', () => {
    const path = join(dir, 'umask.db');
    const db = withUmask(0o000, () => openDatabase(path));
    try {
      assert.equal(modeOf(path), 0o600);
    } finally {
      db.close();
    }
  });

  it('gives the -wal and -shm files mode 0600 too after a write', () => {
    const path = join(dir, 'wal.db');
    withUmask(0o000, () => {
      const db = openDatabase(path);
      try {
        db.exec('CREATE TABLE t (x INTEGER) STRICT');
        db.prepare('INSERT INTO t VALUES (1)').run();
        assert.equal(modeOf(`${path}-wal`), 0o600);
        assert.equal(modeOf(`${path}-shm`), 0o600);
      } finally {
        db.close();
      }
    });
  });

  it('creates it 0600 under a umask that strips the owner bits too', () => {
    // Without the explicit fchmod, umask 0277 would leave 0400: a vault
    // file its own server cannot write.
    const path = join(dir, 'strict-umask.db');
    const db = withUmask(0o277, () => openDatabase(path));
    try {
      assert.equal(modeOf(path), 0o600);
      db.exec('CREATE TABLE t (x INTEGER) STRICT');
    } finally {
      db.close();
    }
  });

  it('leaves the mode of an existing file alone', () => {
    const path = join(dir, 'existing.db');
    writeFileSync(path, '');
    chmodSync(path, 0o640);
    openDatabase(path).close();
    assert.equal(modeOf(path), 0o640);
  });

  it('puts WAL, foreign keys, the busy timeout and full syncs in force', () => {
    const db = openDatabase(join(dir, 'pragmas.db'));
    try {
      assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
      assert.equal(db.pragma('foreign_keys', { simple: true }), 1);
      assert.equal(db.pragma('busy_timeout', { simple: true }), 5000);
      // 2 is FULL.
      assert.equal(db.pragma('synchronous', { simple: true }), 2);
    } finally {
      db.close();
    }
  });

  it('takes another busy timeout when asked', () => {
    const db = openDatabase(join(dir, 'timeout.db'), { busyTimeoutMs: 250 });
    try {
      assert.equal(db.pragma('busy_timeout', { simple: true }), 250);
    } finally {
      db.close();
    }
  });

  it('reopens a database it created, keeping the data', () => {
    const path = join(dir, 'reopen.db');
    const first = openDatabase(path);
    first.exec("CREATE TABLE t (x TEXT) STRICT; INSERT INTO t VALUES ('a')");
    first.close();
    const second = openDatabase(path, { create: false });
    try {
      assert.deepEqual(second.prepare('SELECT x FROM t').all(), [{ x: 'a' }]);
    } finally {
      second.close();
    }
  });

  it('reports permission denied when the directory is not writable', () => {
    const locked = join(dir, 'locked');
    mkdirSync(locked, { mode: 0o700 });
    const path = join(locked, 'vault.db');
    const outcome =
      process.getuid?.() === 0
        ? openAsNobody(path)
        : openWithDirectoryReadOnly(locked, path);
    assert.deepEqual(outcome, {
      code: 'db_open',
      message: `db: create file: permission denied (${path})`,
    });
    assert.equal(existsSync(path), false);
  });

  it('reports a file that is not a database at the open step', () => {
    const path = join(dir, 'garbage.db');
    const garbage = Buffer.alloc(4096, 'not a database, just text. ');
    writeFileSync(path, garbage);
    const err = databaseErrorOf(() => openDatabase(path));
    assert.equal(err.code, 'db_open');
    assert.equal(err.message, `db: open: file is not a database (${path})`);
    assert.ok(err.cause instanceof Error);
    assert.deepEqual(readFileSync(path), garbage);
  });

  it('reports a missing parent directory at the create step', () => {
    const path = join(dir, 'missing', 'vault.db');
    const err = databaseErrorOf(() => openDatabase(path));
    assert.equal(err.code, 'db_open');
    assert.equal(
      err.message,
      `db: create file: no such file or directory (${path})`,
    );
    assert.equal((err.cause as NodeJS.ErrnoException).code, 'ENOENT');
  });

  it('reports a parent that is a file as not a directory', () => {
    const file = join(dir, 'plain-file');
    writeFileSync(file, 'x');
    const path = join(file, 'vault.db');
    const err = databaseErrorOf(() => openDatabase(path));
    assert.equal(err.message, `db: create file: not a directory (${path})`);
  });

  it('reports a directory in place of the file', () => {
    const path = join(dir, 'a-directory.db');
    mkdirSync(path);
    const err = databaseErrorOf(() => openDatabase(path));
    assert.equal(err.message, `db: open: is a directory (${path})`);
  });

  it('creates nothing when told not to, and says the file is missing', () => {
    const path = join(dir, 'absent.db');
    const err = databaseErrorOf(() => openDatabase(path, { create: false }));
    assert.equal(err.code, 'db_open');
    assert.equal(err.message, `db: open: no such file or directory (${path})`);
    assert.equal(existsSync(path), false);
  });

  it('refuses an in-memory database, which cannot hold a vault', () => {
    for (const path of ['', ':memory:']) {
      const err = databaseErrorOf(() => openDatabase(path));
      assert.equal(err.message, 'db: open: a file path is required');
    }
  });
});

interface OpenOutcome {
  readonly code?: string;
  readonly message?: string;
  readonly opened?: boolean;
}

// As root, chmod stops nothing, so the attempt runs in a child process as
// nobody (65534), for whom the root-owned 0700 directory is closed. The
// child loads the compiled module from dist/, which is world-readable.
function openAsNobody(path: string): OpenOutcome {
  const child = spawnSync(
    process.execPath,
    [fixturePath('open-child'), path, '65534'],
    { cwd: '/', encoding: 'utf8' },
  );
  assert.equal(child.status, 0, child.stderr);
  return JSON.parse(child.stdout) as OpenOutcome;
}

function openWithDirectoryReadOnly(
  directory: string,
  path: string,
): OpenOutcome {
  chmodSync(directory, 0o500);
  try {
    openDatabase(path).close();
    return { opened: true };
  } catch (err) {
    const { code, message } = err as { code: string; message: string };
    return { code, message };
  } finally {
    chmodSync(directory, 0o700);
  }
}
