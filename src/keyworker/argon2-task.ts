// The piscina task that derives a key-wrapping key: Argon2id on a pool
// thread, so neither event loop waits while it runs.
import { move } from 'piscina';

import { deriveKey, zeroize } from '../crypto/index.js';
import type { Argon2idParams } from '../crypto/index.js';

/** DeriveTask is one derivation; the password buffer was transferred. */
export interface DeriveTask {
  readonly password: Uint8Array;
  readonly salt: Uint8Array;
  readonly params: Argon2idParams;
}

/**
 * derive runs Argon2id and hands the key back in a transferred buffer of
 * its own. The password is wiped whatever happens, and so is argon2's
 * result buffer once copied, so this thread keeps neither.
 */
export async function derive(task: DeriveTask): Promise<unknown> {
  let raw: Buffer | undefined;
  try {
    raw = await deriveKey(task.password, task.salt, task.params);
    const key = new Uint8Array(raw.length);
    key.set(raw);
    return move(key);
  } finally {
    zeroize(task.password, raw);
  }
}
