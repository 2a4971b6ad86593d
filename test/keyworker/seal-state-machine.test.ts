// The seal state machine on a real SQLite file: states, init, unseal, seal,
// rekey and MEK rotation, passwords wiped and keys zeroized.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';

import { isAllZero, parseFrameHeader } from '../../src/crypto/index.js';
import type { MetacryptError } from '../../src/errors/index.js';
import { KeyArena } from '../../src/keyworker/key-arena.js';
import { makeTempDir, removeDir } from '../db/scratch.js';
import { bytes, openVault, PASSWORD, readRealKeys } from './vault-scratch.js';
import type { Vault } from './vault-scratch.js';
import { isCode } from '../errors/thrown-error.js';

const NEW_PASSWORD = 'a different seal password';

// An arena that also remembers every buffer it was given, so a test can
// look at them after seal; the real arena forgets them.
class RecordingArena extends KeyArena {
  readonly seen: Uint8Array[] = [];

  override adopt<T extends Uint8Array>(buf: T): T {
    this.seen.push(buf);
    return super.adopt(buf);
  }
}

interface SealRow {
  salt: Buffer;
  argon2_time: number;
  argon2_memory_kib: number;
  argon2_threads: number;
  sealed_mek: Buffer;
  mek_version: number;
  rekeyed_at: string | null;
}

describe('seal state machine', () => {
  let dir: string;
  let vault: Vault;

  beforeEach(() => {
    dir = makeTempDir();
    vault = openVault(dir);
  });

  afterEach(async () => {
    await vault.close();
    removeDir(dir);
  });

  function sealRow(): SealRow {
    const row = vault.db
      .prepare<[], SealRow>('SELECT * FROM seal_config WHERE id = 1')
      .get();
    assert.ok(row);
    return row;
  }

  it('starts uninitialized on an empty database and refuses to unseal', async () => {
    assert.deepEqual(vault.machine.status(), { state: 'uninitialized' });
    await assert.rejects(
      vault.machine.unseal(bytes(PASSWORD)),
      (err: unknown) =>
        isCode('not_initialized')(err) &&
        (err as MetacryptError).status === 412,
    );
    assert.deepEqual(await vault.machine.seal(), { state: 'uninitialized' });
  });

  it('refuses a password shorter than the minimum and wipes it', async () => {
    const short = bytes('elevenchars');
    await assert.rejects(
      vault.machine.init(short),
      (err: unknown) =>
        isCode('password_too_short')(err) &&
        (err as MetacryptError).message ===
          'password must be at least 12 characters' &&
        (err as MetacryptError).status === 400,
    );
    assert.ok(isAllZero(short));
    assert.deepEqual(vault.machine.status(), { state: 'uninitialized' });
  });

  it('counts characters, not bytes, against the minimum', async () => {
    // Eleven two-byte characters are 22 bytes but still too short.
    await assert.rejects(
      vault.machine.init(bytes('é'.repeat(11))),
      isCode('password_too_short'),
    );
    assert.deepEqual(await vault.machine.init(bytes('é'.repeat(12))), {
      state: 'unsealed',
    });
  });

  it('initializes once, stores the configured parameters and is left unsealed', async () => {
    const password = bytes(PASSWORD);
    assert.deepEqual(await vault.machine.init(password), { state: 'unsealed' });
    // The password's memory went to the Argon2 thread, or was wiped.
    assert.ok(password.length === 0 || isAllZero(password));

    const row = sealRow();
    assert.equal(row.argon2_time, 1);
    assert.equal(row.argon2_memory_kib, 256);
    assert.equal(row.argon2_threads, 1);
    assert.equal(row.salt.length, 16);
    assert.equal(row.mek_version, 1);
    assert.equal(parseFrameHeader(row.sealed_mek).id, 'kwk');

    await assert.rejects(
      vault.machine.init(bytes(PASSWORD)),
      (err: unknown) =>
        isCode('already_initialized')(err) &&
        (err as MetacryptError).status === 409,
    );
    await vault.machine.seal();
    await assert.rejects(
      vault.machine.init(bytes(PASSWORD)),
      isCode('already_initialized'),
    );
  });

  it('lets exactly one of two machines on the same file initialize', async () => {
    const other = openVault(dir);
    try {
      const results = await Promise.allSettled([
        vault.machine.init(bytes(PASSWORD)),
        other.machine.init(bytes(NEW_PASSWORD)),
      ]);
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r) => r.status === 'rejected');
      assert.equal(won.length, 1);
      assert.equal(lost.length, 1);
      assert.ok(isCode('already_initialized')(lost[0]?.reason));
    } finally {
      await other.close();
    }
  });

  it('notices an init done by another process', async () => {
    const other = openVault(dir);
    try {
      await other.machine.init(bytes(PASSWORD));
    } finally {
      await other.close();
    }
    assert.deepEqual(vault.machine.status(), { state: 'sealed' });
    assert.deepEqual(await vault.machine.unseal(bytes(PASSWORD)), {
      state: 'unsealed',
    });
  });

  it('unseals with the right password only', async () => {
    await vault.machine.init(bytes(PASSWORD));
    vault.machine.barrier.put('sys/kept', bytes('kept across seals'));
    assert.deepEqual(await vault.machine.seal(), { state: 'sealed' });

    const wrong = bytes('not the seal password');
    await assert.rejects(
      vault.machine.unseal(wrong),
      (err: unknown) =>
        isCode('invalid_password')(err) &&
        (err as MetacryptError).message === 'invalid password' &&
        (err as MetacryptError).status === 401,
    );
    assert.ok(wrong.length === 0 || isAllZero(wrong));
    assert.deepEqual(vault.machine.status(), { state: 'sealed' });

    assert.deepEqual(await vault.machine.unseal(bytes(PASSWORD)), {
      state: 'unsealed',
    });
    assert.deepEqual(
      vault.machine.barrier.get('sys/kept'),
      bytes('kept across seals'),
    );
    // Unsealing an unsealed vault changes nothing.
    assert.deepEqual(await vault.machine.unseal(bytes('whatever it is')), {
      state: 'unsealed',
    });
  });

  it('locks after five wrong passwords, even the right one, until it expires', async () => {
    let now = Date.parse('2026-06-01T00:00:00Z');
    await vault.close();
    vault = openVault(dir, { now: () => now });
    await vault.machine.init(bytes(PASSWORD));
    await vault.machine.seal();

    for (let i = 0; i < 5; i++) {
      await assert.rejects(
        vault.machine.unseal(bytes(`wrong password ${String(i)}`)),
        isCode('invalid_password'),
      );
      now += 1_000;
    }
    await assert.rejects(
      vault.machine.unseal(bytes(PASSWORD)),
      (err: unknown) =>
        isCode('too_many_attempts')(err) &&
        (err as MetacryptError).status === 429 &&
        (err as MetacryptError).retryAfterSeconds === 59,
    );
    now += 59_000;
    assert.deepEqual(await vault.machine.unseal(bytes(PASSWORD)), {
      state: 'unsealed',
    });
  });

  it('seal zeroizes every key buffer the machine held', async () => {
    const arena = new RecordingArena();
    await vault.close();
    vault = openVault(dir, { arena });

    await vault.machine.init(bytes(PASSWORD));
    vault.machine.createKey('engine/m');
    vault.machine.barrier.put('engine/m/x', bytes('x'));
    vault.machine.barrier.put('sys/y', bytes('y'));
    vault.machine.rotateKey('engine/m');
    await vault.machine.seal();
    await vault.machine.unseal(bytes(PASSWORD));
    assert.ok(vault.machine.barrier.get('engine/m/x'));
    await vault.machine.rotateMek(bytes(PASSWORD));
    assert.ok(vault.machine.barrier.get('sys/y'));

    const live = arena.seen.filter((buf) => !isAllZero(buf));
    assert.ok(live.length >= 3, 'the MEK and some DEKs are held');
    assert.ok(arena.size >= 3);
    await vault.machine.seal();
    assert.equal(arena.size, 0);
    assert.ok(arena.seen.length > live.length, 'transient keys were released');
    arena.seen.forEach((buf, i) => {
      assert.ok(isAllZero(buf), `key buffer ${String(i)} is not zero`);
    });
  });

  it('rekeys: the same MEK under a new password, data untouched', async () => {
    await vault.machine.init(bytes(PASSWORD));
    vault.machine.barrier.put('sys/data', bytes('data'));
    const before = sealRow();
    const keysBefore = await readRealKeys(vault.path);

    const oldBytes = bytes(PASSWORD);
    const newBytes = bytes(NEW_PASSWORD);
    const { rekeyedAt } = await vault.machine.rekey(oldBytes, newBytes);
    assert.ok(oldBytes.length === 0 || isAllZero(oldBytes));
    assert.ok(newBytes.length === 0 || isAllZero(newBytes));

    const after = sealRow();
    assert.equal(after.rekeyed_at, rekeyedAt);
    assert.notDeepEqual(after.salt, before.salt);
    assert.notDeepEqual(after.sealed_mek, before.sealed_mek);
    const keysAfter = await readRealKeys(vault.path, NEW_PASSWORD);
    assert.deepEqual(keysAfter.mek, keysBefore.mek);
    assert.deepEqual(keysAfter.deks, keysBefore.deks);

    await vault.machine.seal();
    await assert.rejects(
      vault.machine.unseal(bytes(PASSWORD)),
      isCode('invalid_password'),
    );
    await vault.machine.unseal(bytes(NEW_PASSWORD));
    assert.deepEqual(vault.machine.barrier.get('sys/data'), bytes('data'));
  });

  it('refuses a rekey with a wrong old password, a short new one, or while sealed', async () => {
    await vault.machine.init(bytes(PASSWORD));
    const before = sealRow();
    await assert.rejects(
      vault.machine.rekey(bytes('not the old password'), bytes(NEW_PASSWORD)),
      isCode('invalid_password'),
    );
    await assert.rejects(
      vault.machine.rekey(bytes(PASSWORD), bytes('too short')),
      isCode('password_too_short'),
    );
    assert.deepEqual(sealRow(), before);
    const failures = vault.db
      .prepare('SELECT COUNT(*) AS n FROM unseal_attempts')
      .get() as { n: number };
    assert.equal(failures.n, 1, 'a wrong old password counts as a failure');

    await vault.machine.seal();
    await assert.rejects(
      vault.machine.rekey(bytes(PASSWORD), bytes(NEW_PASSWORD)),
      isCode('sealed'),
    );
  });

  it('rekeys with the parameters configured now', async () => {
    await vault.machine.init(bytes(PASSWORD));
    await vault.close();
    vault = openVault(dir, { kdf: { time: 2, memoryKiB: 512, threads: 2 } });
    await vault.machine.unseal(bytes(PASSWORD));
    await vault.machine.rekey(bytes(PASSWORD), bytes(NEW_PASSWORD));
    const row = sealRow();
    assert.deepEqual(
      [row.argon2_time, row.argon2_memory_kib, row.argon2_threads],
      [2, 512, 2],
    );
  });

  it('rotates the MEK: every DEK rewrapped in one go, data and password unchanged', async () => {
    await vault.machine.init(bytes(PASSWORD));
    vault.machine.createKey('engine/m');
    vault.machine.rotateKey('engine/m');
    vault.machine.barrier.put('engine/m/x', bytes('mount data'));
    vault.machine.barrier.put('sys/y', bytes('system data'));
    const keysBefore = await readRealKeys(vault.path);

    assert.deepEqual(await vault.machine.rotateMek(bytes(PASSWORD)), {
      mekVersion: 2,
      rewrapped: 3,
    });
    const keysAfter = await readRealKeys(vault.path);
    assert.notDeepEqual(keysAfter.mek, keysBefore.mek);
    assert.deepEqual(keysAfter.deks, keysBefore.deks);
    const headers = vault.db
      .prepare<[], { sealed_dek: Buffer }>(
        'SELECT sealed_dek FROM barrier_keys',
      )
      .all()
      .map((r) => parseFrameHeader(r.sealed_dek));
    assert.ok(headers.every((h) => h.id === 'mek' && h.version === 2));
    assert.equal(sealRow().mek_version, 2);

    // New writes and new keys work under the new MEK at once.
    vault.machine.createKey('engine/n');
    vault.machine.barrier.put('engine/n/z', bytes('after rotation'));

    await vault.machine.seal();
    await vault.machine.unseal(bytes(PASSWORD));
    assert.deepEqual(
      vault.machine.barrier.get('engine/m/x'),
      bytes('mount data'),
    );
    assert.deepEqual(vault.machine.barrier.get('sys/y'), bytes('system data'));
    assert.deepEqual(
      vault.machine.barrier.get('engine/n/z'),
      bytes('after rotation'),
    );
  });

  it('refuses an MEK rotation with a wrong password and changes nothing', async () => {
    await vault.machine.init(bytes(PASSWORD));
    const before = sealRow();
    await assert.rejects(
      vault.machine.rotateMek(bytes('not the seal password')),
      isCode('invalid_password'),
    );
    assert.deepEqual(sealRow(), before);
  });

  it('runs a seal requested during an unseal after it, ending sealed', async () => {
    await vault.machine.init(bytes(PASSWORD));
    await vault.machine.seal();
    const unseal = vault.machine.unseal(bytes(PASSWORD));
    const seal = vault.machine.seal();
    assert.deepEqual(await unseal, { state: 'unsealed' });
    assert.deepEqual(await seal, { state: 'sealed' });
    assert.deepEqual(vault.machine.status(), { state: 'sealed' });
  });
});
