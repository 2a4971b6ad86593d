// The barrier's properties, on a real SQLite file: confidentiality,
// integrity, binding to the path and the key, and the keyring beneath it.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';

import fc from 'fast-check';

import { randomBytes } from '../../src/crypto/index.js';
import { MetacryptError } from '../../src/errors/index.js';
import { makeTempDir, removeDir } from '../db/scratch.js';
import { bytes, openVault, PASSWORD } from './vault-scratch.js';
import type { Vault } from './vault-scratch.js';
import { codeOf } from '../errors/thrown-error.js';

interface EntryRow {
  key_id: string;
  key_version: number;
  ciphertext: Buffer;
}

describe('barrier', () => {
  let dir: string;
  let vault: Vault;

  beforeEach(async () => {
    dir = makeTempDir();
    vault = openVault(dir);
    await vault.machine.init(bytes(PASSWORD));
  });

  afterEach(async () => {
    await vault.close();
    removeDir(dir);
  });

  function row(path: string): EntryRow {
    const found = vault.db
      .prepare<[string], EntryRow>(
        'SELECT key_id, key_version, ciphertext FROM barrier_entries WHERE path = ?',
      )
      .get(path);
    assert.ok(found, `no row for ${path}`);
    return found;
  }

  function setCiphertext(path: string, ciphertext: Buffer): void {
    vault.db
      .prepare('UPDATE barrier_entries SET ciphertext = ? WHERE path = ?')
      .run(ciphertext, path);
  }

  // Seal and unseal, so that every DEK is unwrapped afresh from its row.
  async function reopen(): Promise<void> {
    await vault.machine.seal();
    await vault.machine.unseal(bytes(PASSWORD));
  }

  it('returns what was put, for any bytes at any valid path', () => {
    const segment = fc.stringMatching(/^[A-Za-z0-9_-][A-Za-z0-9._-]{0,20}$/);
    fc.assert(
      fc.property(
        fc.array(segment, { minLength: 1, maxLength: 4 }),
        fc.uint8Array({ maxLength: 2048 }),
        (segments, value) => {
          const path = `sys/${segments.join('/')}`;
          vault.machine.barrier.put(path, value);
          const back = vault.machine.barrier.get(path);
          assert.ok(back !== null);
          assert.deepEqual(new Uint8Array(back), value);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('answers null for a path never written and false for deleting it', () => {
    assert.equal(vault.machine.barrier.get('sys/nothing/here'), null);
    assert.equal(vault.machine.barrier.delete('sys/nothing/here'), false);
  });

  it('deletes an entry', () => {
    vault.machine.barrier.put('sys/a', bytes('x'));
    assert.equal(vault.machine.barrier.delete('sys/a'), true);
    assert.equal(vault.machine.barrier.get('sys/a'), null);
  });

  it('refuses every operation while sealed', async () => {
    vault.machine.barrier.put('sys/a', bytes('x'));
    vault.machine.createKey('engine/m');
    await vault.machine.seal();

    const m = vault.machine;
    const ops: [string, () => unknown][] = [
      ['get', () => m.barrier.get('sys/a')],
      [
        'put',
        () => {
          m.barrier.put('sys/a', bytes('y'));
        },
      ],
      ['delete', () => m.barrier.delete('sys/a')],
      ['list', () => m.barrier.list('')],
      ['keys.list', () => m.listKeys()],
      ['keys.create', () => m.createKey('engine/n')],
      ['keys.rotate', () => m.rotateKey('engine/m')],
      ['keys.destroy', () => m.destroyKey('engine/m')],
    ];
    for (const [name, op] of ops) {
      assert.equal(codeOf(op), 'sealed', name);
    }
    // Nothing was changed by the refused calls.
    await vault.machine.unseal(bytes(PASSWORD));
    assert.deepEqual(vault.machine.barrier.get('sys/a'), bytes('x'));
    assert.deepEqual(
      vault.machine.listKeys().map((k) => k.keyId),
      ['engine/m', 'system'],
    );
  });

  it('stores ciphertext that does not contain the plaintext', () => {
    const secret = randomBytes(64);
    vault.machine.barrier.put('sys/secret', secret);
    const stored = row('sys/secret').ciphertext;
    assert.ok(stored.length > secret.length);
    // No 8-byte window of the value appears anywhere in the row.
    for (let i = 0; i + 8 <= secret.length; i++) {
      assert.equal(stored.indexOf(secret.subarray(i, i + 8)), -1);
    }
  });

  it('fails to read a row with any byte flipped, and reads it once restored', () => {
    vault.machine.barrier.put('sys/flip', bytes('some value to protect'));
    const good = row('sys/flip').ciphertext;
    for (let i = 0; i < good.length; i++) {
      const bad = Buffer.from(good);
      bad[i] = (bad[i] ?? 0) ^ 0x01;
      setCiphertext('sys/flip', bad);
      assert.equal(
        codeOf(() => vault.machine.barrier.get('sys/flip')),
        'barrier_integrity',
        `byte ${String(i)}`,
      );
    }
    setCiphertext('sys/flip', good);
    assert.deepEqual(
      vault.machine.barrier.get('sys/flip'),
      bytes('some value to protect'),
    );
  });

  it('fails to read a row moved to another path, and keeps serving the rest', () => {
    vault.machine.barrier.put('sys/from', bytes('value'));
    vault.machine.barrier.put('sys/other', bytes('other'));
    const moved = row('sys/from');
    vault.db
      .prepare(
        `INSERT INTO barrier_entries
           (path, key_id, key_version, ciphertext, updated_at)
         VALUES ('sys/to', ?, ?, ?, '2026-01-01T00:00:00Z')`,
      )
      .run(moved.key_id, moved.key_version, moved.ciphertext);

    assert.throws(
      () => vault.machine.barrier.get('sys/to'),
      (err: unknown) =>
        err instanceof MetacryptError &&
        err.code === 'barrier_integrity' &&
        err.message === 'barrier: integrity check failed for sys/to' &&
        err.status === 500,
    );
    assert.deepEqual(vault.machine.barrier.get('sys/from'), bytes('value'));
    assert.deepEqual(vault.machine.barrier.get('sys/other'), bytes('other'));
  });

  it('fails to read a row moved to another mount', () => {
    vault.machine.createKey('engine/a');
    vault.machine.createKey('engine/b');
    vault.machine.barrier.put('engine/a/x', bytes('a value'));
    const moved = row('engine/a/x');
    vault.db
      .prepare(
        `INSERT INTO barrier_entries
           (path, key_id, key_version, ciphertext, updated_at)
         VALUES ('engine/b/x', 'engine/b', 1, ?, '2026-01-01T00:00:00Z')`,
      )
      .run(moved.ciphertext);
    assert.equal(
      codeOf(() => vault.machine.barrier.get('engine/b/x')),
      'barrier_integrity',
    );
  });

  it('fails to use a DEK row moved to another key id', async () => {
    vault.machine.createKey('engine/a');
    vault.machine.createKey('engine/b');
    vault.machine.barrier.put('engine/a/x', bytes('a value'));
    vault.machine.barrier.put('engine/b/x', bytes('b value'));
    vault.db
      .prepare(
        `UPDATE barrier_keys SET sealed_dek =
           (SELECT sealed_dek FROM barrier_keys
            WHERE key_id = 'engine/a' AND version = 1)
         WHERE key_id = 'engine/b' AND version = 1`,
      )
      .run();
    await reopen();

    assert.throws(
      () => vault.machine.barrier.get('engine/b/x'),
      (err: unknown) =>
        err instanceof MetacryptError &&
        err.code === 'barrier_integrity' &&
        err.message ===
          'barrier: integrity check failed for key engine/b version 1',
    );
    assert.equal(
      codeOf(() => {
        vault.machine.barrier.put('engine/b/y', bytes('y'));
      }),
      'barrier_integrity',
    );
    assert.deepEqual(vault.machine.barrier.get('engine/a/x'), bytes('a value'));
  });

  it('writes the same value twice as different ciphertexts', () => {
    vault.machine.barrier.put('sys/one', bytes('same'));
    const first = row('sys/one').ciphertext;
    vault.machine.barrier.put('sys/one', bytes('same'));
    vault.machine.barrier.put('sys/two', bytes('same'));
    assert.notDeepEqual(row('sys/one').ciphertext, first);
    assert.notDeepEqual(row('sys/two').ciphertext, row('sys/one').ciphertext);
  });

  it('lists only the paths under a prefix, sorted', () => {
    vault.machine.createKey('engine/a');
    vault.machine.createKey('engine/ab');
    for (const path of ['engine/a/x', 'engine/a/y/z', 'engine/ab/x', 'sys/a']) {
      vault.machine.barrier.put(path, bytes(path));
    }
    assert.deepEqual(vault.machine.barrier.list('engine/a/'), [
      'engine/a/x',
      'engine/a/y/z',
    ]);
    assert.deepEqual(vault.machine.barrier.list('engine/a/y/'), [
      'engine/a/y/z',
    ]);
    assert.deepEqual(vault.machine.barrier.list('engine/'), [
      'engine/a/x',
      'engine/a/y/z',
      'engine/ab/x',
    ]);
    assert.deepEqual(vault.machine.barrier.list(''), [
      'engine/a/x',
      'engine/a/y/z',
      'engine/ab/x',
      'sys/a',
    ]);
    assert.deepEqual(vault.machine.barrier.list('sys/nothing/'), []);
  });

  it('refuses invalid paths and prefixes with invalid_path', () => {
    for (const path of [
      '',
      'sys',
      'sys//x',
      'sys/../x',
      'other/x',
      'sys/a b',
    ]) {
      assert.equal(
        codeOf(() => vault.machine.barrier.get(path)),
        'invalid_path',
      );
      assert.equal(
        codeOf(() => {
          vault.machine.barrier.put(path, bytes('x'));
        }),
        'invalid_path',
      );
    }
    assert.equal(
      codeOf(() => vault.machine.barrier.list('sys')),
      'invalid_path',
    );
  });

  it('refuses to write under a mount that has no data key', () => {
    assert.throws(
      () => {
        vault.machine.barrier.put('engine/none/x', bytes('x'));
      },
      (err: unknown) =>
        err instanceof MetacryptError &&
        err.code === 'not_found' &&
        err.message === 'data key engine/none not found',
    );
  });
});

describe('keyring', () => {
  let dir: string;
  let vault: Vault;

  beforeEach(async () => {
    dir = makeTempDir();
    vault = openVault(dir);
    await vault.machine.init(bytes(PASSWORD));
  });

  afterEach(async () => {
    await vault.close();
    removeDir(dir);
  });

  function versionOf(path: string): number {
    const found = vault.db
      .prepare<[string], { key_version: number }>(
        'SELECT key_version FROM barrier_entries WHERE path = ?',
      )
      .get(path);
    assert.ok(found);
    return found.key_version;
  }

  it('creates a data key for a mount, once', () => {
    const info = vault.machine.createKey('engine/transit');
    assert.equal(info.keyId, 'engine/transit');
    assert.deepEqual(info.versions, [1]);
    assert.equal(info.latest, 1);
    assert.throws(
      () => vault.machine.createKey('engine/transit'),
      (err: unknown) =>
        err instanceof MetacryptError && err.code === 'already_exists',
    );
  });

  it('refuses key ids that are not system or engine/<mount>', () => {
    for (const keyId of ['engine', 'engine/', 'engine/a/b', 'mek', 'sys/x']) {
      assert.throws(
        () => vault.machine.createKey(keyId),
        (err: unknown) =>
          err instanceof MetacryptError && err.code === 'invalid_path',
        keyId,
      );
    }
  });

  it('rotates a key: new writes use the new version, old entries still open', async () => {
    vault.machine.createKey('engine/m');
    vault.machine.barrier.put('engine/m/old', bytes('written under v1'));
    const info = vault.machine.rotateKey('engine/m');
    assert.deepEqual(info.versions, [1, 2]);
    assert.equal(info.latest, 2);
    vault.machine.barrier.put('engine/m/new', bytes('written under v2'));

    assert.equal(versionOf('engine/m/old'), 1);
    assert.equal(versionOf('engine/m/new'), 2);
    await vault.machine.seal();
    await vault.machine.unseal(bytes(PASSWORD));
    assert.deepEqual(
      vault.machine.barrier.get('engine/m/old'),
      bytes('written under v1'),
    );
    assert.deepEqual(
      vault.machine.barrier.get('engine/m/new'),
      bytes('written under v2'),
    );

    // Rewriting an old entry moves it to the new version.
    vault.machine.barrier.put('engine/m/old', bytes('rewritten'));
    assert.equal(versionOf('engine/m/old'), 2);

    // The system key rotates too.
    assert.deepEqual(vault.machine.rotateKey('system').versions, [1, 2]);
  });

  it('refuses to rotate a key that does not exist', () => {
    assert.throws(
      () => vault.machine.rotateKey('engine/none'),
      (err: unknown) =>
        err instanceof MetacryptError && err.code === 'not_found',
    );
  });

  it('destroys a key with its entries and nothing else', () => {
    vault.machine.createKey('engine/gone');
    vault.machine.createKey('engine/kept');
    vault.machine.rotateKey('engine/gone');
    vault.machine.barrier.put('engine/gone/a', bytes('a'));
    vault.machine.barrier.put('engine/gone/b/c', bytes('b'));
    vault.machine.barrier.put('engine/kept/a', bytes('kept'));
    vault.machine.barrier.put('sys/a', bytes('sys'));

    assert.equal(vault.machine.destroyKey('engine/gone'), 2);
    assert.deepEqual(vault.machine.barrier.list('engine/gone/'), []);
    assert.deepEqual(
      vault.machine.listKeys().map((k) => k.keyId),
      ['engine/kept', 'system'],
    );
    const rows = vault.db
      .prepare(
        "SELECT COUNT(*) AS n FROM barrier_keys WHERE key_id = 'engine/gone'",
      )
      .get() as { n: number };
    assert.equal(rows.n, 0);
    assert.deepEqual(vault.machine.barrier.get('engine/kept/a'), bytes('kept'));
    assert.deepEqual(vault.machine.barrier.get('sys/a'), bytes('sys'));
    assert.equal(
      codeOf(() => {
        vault.machine.barrier.put('engine/gone/a', bytes('x'));
      }),
      'not_found',
    );
    // A mount of the same name later starts with a fresh key.
    assert.deepEqual(vault.machine.createKey('engine/gone').versions, [1]);
  });

  it('never destroys the system key', () => {
    assert.equal(
      codeOf(() => vault.machine.destroyKey('system')),
      'bad_request',
    );
    assert.equal(
      codeOf(() => vault.machine.destroyKey('engine/none')),
      'not_found',
    );
  });

  it('lists key ids and versions without key bytes', () => {
    vault.machine.createKey('engine/m');
    vault.machine.rotateKey('engine/m');
    const list = vault.machine.listKeys();
    assert.deepEqual(
      list.map((k) => [k.keyId, k.versions, k.latest]),
      [
        ['engine/m', [1, 2], 2],
        ['system', [1], 1],
      ],
    );
    for (const info of list) {
      assert.deepEqual(Object.keys(info).sort(), [
        'createdAt',
        'keyId',
        'latest',
        'versions',
      ]);
      assert.ok(!Number.isNaN(Date.parse(info.createdAt)));
    }
  });
});
