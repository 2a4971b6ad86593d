// A seal configuration that no init or rekey could have written is refused
// at unseal as damaged, before any password is tried and without counting
// an attempt; damage a password cannot be told from counts like one.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';

import { inspectDatabaseFile } from '../../src/db/index.js';
import type { MetacryptError } from '../../src/errors/index.js';
import { makeTempDir, removeDir } from '../db/scratch.js';
import { isCode } from '../errors/thrown-error.js';
import { bytes, openVault, PASSWORD } from './vault-scratch.js';
import type { Vault } from './vault-scratch.js';

const DAMAGED =
  'barrier: integrity check failed: the seal configuration is damaged';

describe('seal configuration check', () => {
  let dir: string;
  let vault: Vault;

  beforeEach(async () => {
    dir = makeTempDir();
    vault = openVault(dir);
    await vault.machine.init(bytes(PASSWORD));
    await vault.machine.seal();
  });

  afterEach(async () => {
    await vault.close();
    removeDir(dir);
  });

  function attempts(): number {
    return (
      vault.db
        .prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM unseal_attempts')
        .get()?.n ?? -1
    );
  }

  function sealedMek(): Buffer {
    const row = vault.db
      .prepare<[], { sealed_mek: Buffer }>('SELECT sealed_mek FROM seal_config')
      .get();
    assert.ok(row);
    return row.sealed_mek;
  }

  function refusedAs(message: string) {
    return (err: unknown): boolean =>
      isCode('barrier_integrity')(err) &&
      (err as MetacryptError).message === message &&
      (err as MetacryptError).status === 500;
  }

  const structural: [string, string, () => void][] = [
    [
      'parameters outside the KDF bounds',
      `${DAMAGED} (crypto: argon2id: time must be 1 to 64)`,
      () => vault.db.prepare('UPDATE seal_config SET argon2_time = 65').run(),
    ],
    [
      'a salt of the wrong length',
      `${DAMAGED} (crypto: argon2id: salt length must be 16 to 64 bytes)`,
      () => vault.db.prepare('UPDATE seal_config SET salt = zeroblob(8)').run(),
    ],
    [
      'a sealed MEK that is no frame',
      `${DAMAGED} (crypto: unsupported ciphertext format version 0)`,
      () => {
        const bad = Buffer.from(sealedMek());
        bad[0] = 0;
        vault.db.prepare('UPDATE seal_config SET sealed_mek = ?').run(bad);
      },
    ],
    [
      'a sealed MEK of the wrong length',
      `${DAMAGED} (the sealed MEK is 70 bytes, not 69)`,
      () => {
        const longer = Buffer.concat([sealedMek(), Buffer.alloc(1)]);
        vault.db.prepare('UPDATE seal_config SET sealed_mek = ?').run(longer);
      },
    ],
  ];

  for (const [what, message, damage] of structural) {
    it(`refuses ${what} without counting an attempt`, async () => {
      damage();
      await assert.rejects(
        vault.machine.unseal(bytes(PASSWORD)),
        refusedAs(message),
      );
      assert.equal(attempts(), 0);
      assert.deepEqual(vault.machine.status(), { state: 'sealed' });
    });
  }

  it('counts a damaged tag as a wrong password, since it looks like one', async () => {
    const bad = Buffer.from(sealedMek());
    bad[bad.length - 1] = (bad[bad.length - 1] ?? 0) ^ 1;
    vault.db.prepare('UPDATE seal_config SET sealed_mek = ?').run(bad);
    await assert.rejects(
      vault.machine.unseal(bytes(PASSWORD)),
      isCode('invalid_password'),
    );
    assert.equal(attempts(), 1);
  });

  it('refuses a deleted row as missing, and will not initialize again', async () => {
    vault.db.prepare('DELETE FROM seal_config').run();
    await vault.close();
    vault = openVault(dir);

    // The system DEK row still proves an init: sealed, not uninitialized,
    // and `snapshot verify` says so too.
    assert.deepEqual(vault.machine.status(), { state: 'sealed' });
    assert.equal((await inspectDatabaseFile(vault.path)).initialized, true);
    await assert.rejects(
      vault.machine.unseal(bytes(PASSWORD)),
      refusedAs(
        'barrier: integrity check failed: the seal configuration is missing',
      ),
    );
    await assert.rejects(
      vault.machine.init(bytes(PASSWORD)),
      isCode('already_initialized'),
    );
    assert.equal(attempts(), 0);
  });
});
