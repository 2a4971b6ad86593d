// The key worker's pool for Argon2id: derivations run on their own threads
// and the key-wrapping key comes back to the key worker only.
import { Piscina } from 'piscina';

import { checkArgon2idParams } from '../crypto/index.js';
import type { Argon2idParams } from '../crypto/index.js';
import type { DeriveTask } from './argon2-task.js';

/** Argon2PoolOptions size the pool. */
export interface Argon2PoolOptions {
  /**
   * Threads that may derive at once. One is enough: state changes that
   * derive a key run one at a time, and each derivation already uses
   * `threads` lanes inside argon2.
   */
  readonly maxThreads?: number;
  /** How long an idle thread (and its 128 MiB) stays around. */
  readonly idleTimeoutMs?: number;
}

const TASK_FILE = new URL('./argon2-task.js', import.meta.url).href;

/**
 * Argon2Pool derives key-wrapping keys on a piscina pool. It is created
 * and owned by the key worker, so the KWK travels from a pool thread to
 * the key worker and never to the main thread.
 */
export class Argon2Pool {
  readonly #pool: Piscina<DeriveTask, Uint8Array>;

  constructor(options: Argon2PoolOptions = {}) {
    this.#pool = new Piscina({
      filename: TASK_FILE,
      name: 'derive',
      minThreads: 0,
      maxThreads: options.maxThreads ?? 1,
      idleTimeout: options.idleTimeoutMs ?? 30_000,
    });
  }

  /**
   * derive returns the Argon2id key for password, salt and params. The
   * password's memory is transferred to the pool thread, which wipes it:
   * after the call the caller's view of it is empty. The caller owns the
   * returned key and wipes it.
   */
  async derive(
    password: Uint8Array,
    salt: Uint8Array,
    params: Argon2idParams,
  ): Promise<Buffer> {
    // Bad parameters fail here, with their code, rather than as a
    // generic error cloned back from the pool thread.
    checkArgon2idParams(params);
    const owned = ownedCopy(password);
    const key = await this.#pool.run(
      { password: owned, salt: Uint8Array.from(salt), params },
      { transferList: [owned.buffer] },
    );
    return Buffer.from(key.buffer, key.byteOffset, key.byteLength);
  }

  /** close stops the pool's threads. */
  async close(): Promise<void> {
    await this.#pool.close({ force: true });
  }
}

// A transfer moves a whole ArrayBuffer. A view onto part of one (a pooled
// Buffer, say) is copied into a buffer of its own and the original wiped,
// so the transfer never takes memory that belongs to something else.
function ownedCopy(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const whole =
    bytes.byteOffset === 0 &&
    bytes.byteLength === bytes.buffer.byteLength &&
    bytes.buffer instanceof ArrayBuffer;
  if (whole) return bytes as Uint8Array<ArrayBuffer>;
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  bytes.fill(0);
  return copy;
}
