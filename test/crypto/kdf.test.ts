// Argon2id parameters: the production defaults, validation of each field,
// and a derivation that really is Argon2id with the parameters given.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import * as argon2 from 'argon2';

import {
  checkArgon2idParams,
  DEFAULT_ARGON2ID_PARAMS,
  deriveKey,
  randomBytes,
} from '../../src/crypto/index.js';
import type { Argon2idParams } from '../../src/crypto/index.js';

// Small parameters keep the tests fast; production uses the defaults.
const small: Argon2idParams = {
  time: 1,
  memoryKiB: 64,
  threads: 1,
  keyLength: 32,
  saltLength: 16,
};

describe('argon2id parameters', () => {
  it('default to time 3, 128 MiB, 4 threads, 32-byte key, 16-byte salt', () => {
    assert.deepEqual(
      { ...DEFAULT_ARGON2ID_PARAMS },
      {
        time: 3,
        memoryKiB: 131072,
        threads: 4,
        keyLength: 32,
        saltLength: 16,
      },
    );
    assert.ok(Object.isFrozen(DEFAULT_ARGON2ID_PARAMS));
    assert.equal(
      checkArgon2idParams(DEFAULT_ARGON2ID_PARAMS),
      DEFAULT_ARGON2ID_PARAMS,
    );
  });

  it('reject each bad field with a message naming it', () => {
    const cases: [Partial<Argon2idParams>, RegExp][] = [
      [{ time: 0 }, /time must be 1 to 64/],
      [{ time: 1.5 }, /time must be/],
      [{ threads: 0 }, /threads must be/],
      [{ memoryKiB: 7 }, /memory must be 8 to/],
      [{ threads: 4, memoryKiB: 16 }, /memory must be 32 to/],
      [{ memoryKiB: 8 * 1024 * 1024 }, /memory must be/],
      [{ keyLength: 16 }, /key length must be 32 bytes/],
      [{ saltLength: 8 }, /salt length must be 16 to 64 bytes/],
    ];
    for (const [change, message] of cases) {
      assert.throws(() => checkArgon2idParams({ ...small, ...change }), {
        code: 'crypto_kdf_params',
        message,
      });
    }
  });
});

describe('deriveKey', () => {
  it('is deterministic for one password, salt and parameter set', async () => {
    const salt = randomBytes(16);
    const a = await deriveKey(Buffer.from('correct horse'), salt, small);
    const b = await deriveKey(Buffer.from('correct horse'), salt, small);
    assert.equal(a.length, 32);
    assert.deepEqual(a, b);
  });

  it('changes with the password, the salt and each parameter', async () => {
    const salt = randomBytes(16);
    const pw = Buffer.from('correct horse');
    const base = await deriveKey(pw, salt, small);
    const variants = await Promise.all([
      deriveKey(Buffer.from('correct horsf'), salt, small),
      deriveKey(pw, randomBytes(16), small),
      deriveKey(pw, salt, { ...small, time: 2 }),
      deriveKey(pw, salt, { ...small, memoryKiB: 128 }),
      deriveKey(pw, salt, { ...small, threads: 2 }),
    ]);
    for (const v of variants) assert.notDeepEqual(v, base);
  });

  it('is Argon2id v1.3 as the encoded-hash verifier computes it', async () => {
    const salt = randomBytes(16);
    const raw = await deriveKey(Buffer.from('pw'), salt, small);
    const b64 = (b: Buffer): string => b.toString('base64').replace(/=+$/, '');
    const encoded =
      `$argon2id$v=19$m=${small.memoryKiB},t=${small.time},` +
      `p=${small.threads}$${b64(salt)}$${b64(raw)}`;
    assert.equal(await argon2.verify(encoded, 'pw'), true);
    assert.equal(await argon2.verify(encoded, 'pX'), false);
  });

  it('refuses a salt whose length differs from the parameters', async () => {
    await assert.rejects(deriveKey(Buffer.from('pw'), randomBytes(8), small), {
      code: 'crypto_kdf_params',
      message: 'crypto: argon2id: salt must be 16 bytes',
    });
  });
});
