// Helpers for key worker tests: small Argon2 settings, an in-process seal
// state machine on a real SQLite file, and the real keys read back from a
// database with the known password, to compare against what crosses the
// worker's port.
import { join } from 'node:path';

import { aeadDecrypt, deriveKey } from '../../src/crypto/index.js';
import { openDatabase, openMigratedDatabase } from '../../src/db/index.js';
import type { Database } from '../../src/db/index.js';
import { Argon2Pool } from '../../src/keyworker/argon2-pool.js';
import {
  dekContext,
  entryContext,
  mekContext,
} from '../../src/keyworker/associated-data.js';
import type { KeyArena } from '../../src/keyworker/key-arena.js';
import type { KeyWorkerOptions } from '../../src/keyworker/index.js';
import { SealStateMachine } from '../../src/keyworker/seal-state-machine.js';
import type { LimiterPolicy } from '../../src/keyworker/unseal-limiter.js';
import { TRANSIT_ENGINE } from '../../src/engines/transit/ops.js';
import { NOTES_MODULE } from '../fixtures/engines/notes-core.js';

/** PASSWORD is the seal password of every test vault. */
export const PASSWORD = 'correct horse battery staple';

/** TEST_KDF keeps Argon2id cheap in tests; production uses the defaults. */
export const TEST_KDF = { time: 1, memoryKiB: 256, threads: 1 } as const;

/**
 * workerOptions are key worker options for a vault in dir, with transit
 * and the test-only notes engine loaded.
 */
export function workerOptions(
  dir: string,
  limiter?: LimiterPolicy,
): KeyWorkerOptions {
  return {
    dbPath: join(dir, 'vault.db'),
    kdf: TEST_KDF,
    minPasswordLength: 12,
    engines: [
      NOTES_MODULE,
      { type: 'transit', module: TRANSIT_ENGINE.coreModule },
    ],
    ...(limiter === undefined ? {} : { limiter }),
  };
}

/** Vault is an in-process state machine and what it runs on. */
export interface Vault {
  readonly machine: SealStateMachine;
  readonly db: Database;
  readonly path: string;
  close(): Promise<void>;
}

/** VaultOptions adjust an in-process vault. */
export interface VaultOptions {
  readonly arena?: KeyArena;
  readonly limiter?: LimiterPolicy;
  readonly now?: () => number;
  readonly kdf?: { time: number; memoryKiB: number; threads: number };
}

/** openVault builds a state machine on dir/vault.db, as the worker does. */
export function openVault(dir: string, options: VaultOptions = {}): Vault {
  const path = join(dir, 'vault.db');
  const { db } = openMigratedDatabase(path);
  const pool = new Argon2Pool();
  const machine = new SealStateMachine({
    db,
    pool,
    kdf: options.kdf ?? TEST_KDF,
    minPasswordLength: 12,
    ...(options.arena === undefined ? {} : { arena: options.arena }),
    ...(options.limiter === undefined ? {} : { limiter: options.limiter }),
    ...(options.now === undefined ? {} : { now: options.now }),
  });
  return {
    machine,
    db,
    path,
    async close(): Promise<void> {
      await machine.seal();
      await pool.close();
      db.close();
    },
  };
}

/**
 * RealKeys are the KWK, MEK and every DEK version, opened independently,
 * and every barrier entry's plaintext by path (where engines keep keys).
 */
export interface RealKeys {
  readonly kwk: Buffer;
  readonly mek: Buffer;
  readonly deks: Map<string, Buffer>;
  readonly entries: Map<string, Buffer>;
}

interface SealRow {
  salt: Buffer;
  argon2_time: number;
  argon2_memory_kib: number;
  argon2_threads: number;
  argon2_key_length: number;
  sealed_mek: Buffer;
  mek_version: number;
}

/**
 * readRealKeys opens the database at path on its own connection and
 * derives the KWK and unwraps the MEK and every DEK with the known
 * password, following the
 * documented formats rather than the keyring's code.
 */
export async function readRealKeys(
  path: string,
  password = PASSWORD,
): Promise<RealKeys> {
  const db = openDatabase(path, { create: false });
  try {
    const row = db
      .prepare<[], SealRow>('SELECT * FROM seal_config WHERE id = 1')
      .get();
    if (row === undefined) throw new Error('vault is not initialized');
    const kwk = await deriveKey(Buffer.from(password), row.salt, {
      time: row.argon2_time,
      memoryKiB: row.argon2_memory_kib,
      threads: row.argon2_threads,
      keyLength: row.argon2_key_length,
      saltLength: row.salt.length,
    });
    const mek = aeadDecrypt(kwk, row.sealed_mek, mekContext(row.mek_version));
    const deks = new Map<string, Buffer>();
    const rows = db
      .prepare<[], { key_id: string; version: number; sealed_dek: Buffer }>(
        'SELECT key_id, version, sealed_dek FROM barrier_keys',
      )
      .all();
    for (const dek of rows) {
      deks.set(
        `${dek.key_id}#${String(dek.version)}`,
        aeadDecrypt(mek, dek.sealed_dek, dekContext(dek.key_id, dek.version)),
      );
    }
    const entries = new Map<string, Buffer>();
    const entryRows = db
      .prepare<
        [],
        {
          path: string;
          key_id: string;
          key_version: number;
          ciphertext: Buffer;
        }
      >('SELECT path, key_id, key_version, ciphertext FROM barrier_entries')
      .all();
    for (const entry of entryRows) {
      const dek = deks.get(`${entry.key_id}#${String(entry.key_version)}`);
      if (dek === undefined) continue;
      entries.set(
        entry.path,
        aeadDecrypt(dek, entry.ciphertext, entryContext(entry.path)),
      );
    }
    return { kwk, mek, deks, entries };
  } finally {
    db.close();
  }
}

/** bytes makes a Buffer from text, for values and passwords. */
export function bytes(text: string): Buffer {
  return Buffer.from(text, 'utf8');
}
