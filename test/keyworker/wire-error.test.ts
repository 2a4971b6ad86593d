// Errors across the key worker boundary: what toWireError keeps and hides,
// and what fromWireError rebuilds on the main thread.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import BetterSqlite3 from 'better-sqlite3';

import { openMigratedDatabase } from '../../src/db/index.js';
import {
  CryptoError,
  DatabaseError,
  MetacryptError,
} from '../../src/errors/index.js';
import { fromWireError, toWireError } from '../../src/keyworker/wire-error.js';
import { makeTempDir, removeDir } from '../db/scratch.js';

const SECRET = 'secret-value-123';

describe('toWireError and fromWireError', () => {
  let dir: string;
  before(() => {
    dir = makeTempDir();
  });
  after(() => {
    removeDir(dir);
  });

  it('keeps the code and message of a MetacryptError both ways', () => {
    const original = new MetacryptError('sealed', 'the vault is sealed');
    const wire = toWireError(original);
    assert.deepEqual(wire, { code: 'sealed', message: 'the vault is sealed' });
    assert.equal('retryAfterSeconds' in wire, false);

    const back = fromWireError(wire);
    assert.ok(back instanceof MetacryptError);
    assert.equal(back.code, 'sealed');
    assert.equal(back.message, 'the vault is sealed');
    assert.equal(back.retryAfterSeconds, undefined);
    assert.equal(back.status, 503);
  });

  it('keeps the retry hint of a lockout both ways', () => {
    const original = new MetacryptError(
      'too_many_attempts',
      'too many attempts: try again in 42 seconds',
      { retryAfterSeconds: 42 },
    );
    const wire = toWireError(original);
    assert.deepEqual(wire, {
      code: 'too_many_attempts',
      message: 'too many attempts: try again in 42 seconds',
      retryAfterSeconds: 42,
    });
    const back = fromWireError(wire);
    assert.equal(back.code, 'too_many_attempts');
    assert.equal(back.message, original.message);
    assert.equal(back.retryAfterSeconds, 42);
    assert.equal(back.status, 429);
  });

  it('keeps the code and message of MetacryptError subclasses', () => {
    for (const err of [
      new CryptoError('crypto_malformed', 'frame too short'),
      new DatabaseError('db_open', 'open: busy'),
    ]) {
      const back = fromWireError(toWireError(err));
      assert.equal(back.code, err.code);
      assert.equal(back.message, err.message);
    }
  });

  it('turns a plain Error into internal without its message', () => {
    const wire = toWireError(new Error(SECRET));
    assert.deepEqual(wire, {
      code: 'internal',
      message: 'key worker: internal error (Error)',
    });
    assert.ok(!JSON.stringify(wire).includes(SECRET));

    const back = fromWireError(wire);
    assert.equal(back.code, 'internal');
    assert.equal(back.status, 500);
    assert.ok(!back.message.includes(SECRET));
  });

  it('names only the class of other built-in errors', () => {
    assert.equal(
      toWireError(new TypeError(SECRET)).message,
      'key worker: internal error (TypeError)',
    );
    assert.equal(
      toWireError(new RangeError(SECRET)).message,
      'key worker: internal error (RangeError)',
    );
  });

  it('names a SQLite error by its class and code', () => {
    const busy = new BetterSqlite3.SqliteError(
      `database is locked (${SECRET})`,
      'SQLITE_BUSY',
    );
    assert.deepEqual(toWireError(busy), {
      code: 'internal',
      message: 'key worker: internal error (SqliteError SQLITE_BUSY)',
    });
  });

  it('hides the SQL text a real SQLite error quotes', () => {
    const { db } = openMigratedDatabase(join(dir, 'v.db'));
    let thrown: unknown;
    try {
      db.prepare(`SELECT ${SECRET.replaceAll('-', '_')} FROM unseal_attempts`);
    } catch (err) {
      thrown = err;
    } finally {
      db.close();
    }
    assert.ok(thrown instanceof BetterSqlite3.SqliteError);
    assert.ok(thrown.message.includes('secret_value_123'));
    const wire = toWireError(thrown);
    assert.equal(
      wire.message,
      'key worker: internal error (SqliteError SQLITE_ERROR)',
    );
    assert.ok(!wire.message.includes('secret'));
  });

  it('leaves out a code that is not an upper-case constant', () => {
    const err = Object.assign(new Error('x'), { code: SECRET });
    assert.equal(
      toWireError(err).message,
      'key worker: internal error (Error)',
    );
    const numeric = Object.assign(new Error('x'), { code: 5 });
    assert.equal(
      toWireError(numeric).message,
      'key worker: internal error (Error)',
    );
  });

  it('names only the type of a thrown value that is not an Error', () => {
    const cases: [unknown, string][] = [
      [SECRET, 'string'],
      [42, 'number'],
      [undefined, 'undefined'],
      [null, 'object'],
      [{ message: SECRET, code: 'SQLITE_BUSY' }, 'object'],
    ];
    for (const [value, type] of cases) {
      assert.deepEqual(toWireError(value), {
        code: 'internal',
        message: `key worker: internal error (${type})`,
      });
    }
  });

  it('turns a code the catalogue does not know into internal', () => {
    for (const code of ['no_such_code', '', 'toString', '__proto__']) {
      const back = fromWireError({
        code,
        message: SECRET,
        retryAfterSeconds: 7,
      });
      assert.ok(back instanceof MetacryptError);
      assert.equal(back.code, 'internal');
      assert.equal(back.message, 'key worker: unknown error code');
      assert.equal(back.retryAfterSeconds, undefined);
    }
  });
});
