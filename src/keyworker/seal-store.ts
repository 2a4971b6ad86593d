// The seal_config row: the Argon2id salt and parameters and the MEK sealed
// under the key-wrapping key. One row per database, or none before init.
import type { Argon2idParams } from '../crypto/index.js';
import type { Database } from '../db/index.js';

/** SealConfig is what unsealing needs besides the password. */
export interface SealConfig {
  readonly salt: Buffer;
  readonly params: Argon2idParams;
  readonly sealedMek: Buffer;
  readonly mekVersion: number;
  readonly createdAt: string;
  readonly rekeyedAt: string | null;
}

/** Wrapping is a new salt, parameters and sealed MEK, as rekey writes. */
export interface Wrapping {
  readonly salt: Buffer;
  readonly params: Argon2idParams;
  readonly sealedMek: Buffer;
}

interface Row {
  salt: Buffer;
  argon2_time: number;
  argon2_memory_kib: number;
  argon2_threads: number;
  argon2_key_length: number;
  sealed_mek: Buffer;
  mek_version: number;
  created_at: string;
  rekeyed_at: string | null;
}

/** SealStore reads and writes the seal_config row. */
export class SealStore {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  /** read returns the seal configuration, or undefined before init. */
  read(): SealConfig | undefined {
    const row = this.#db
      .prepare<[], Row>('SELECT * FROM seal_config WHERE id = 1')
      .get();
    if (row === undefined) return undefined;
    return {
      salt: row.salt,
      params: {
        time: row.argon2_time,
        memoryKiB: row.argon2_memory_kib,
        threads: row.argon2_threads,
        keyLength: row.argon2_key_length,
        saltLength: row.salt.length,
      },
      sealedMek: row.sealed_mek,
      mekVersion: row.mek_version,
      createdAt: row.created_at,
      rekeyedAt: row.rekeyed_at,
    };
  }

  /** isInitialized tells whether init has completed on this database. */
  isInitialized(): boolean {
    return (
      this.#db.prepare('SELECT 1 FROM seal_config WHERE id = 1').get() !==
      undefined
    );
  }

  /**
   * insert writes the first row. The primary key refuses a second one, so
   * two processes racing to init cannot both succeed.
   */
  insert(wrapping: Wrapping, mekVersion: number, now: string): void {
    this.#db
      .prepare(
        `INSERT INTO seal_config (id, salt, argon2_time, argon2_memory_kib,
           argon2_threads, argon2_key_length, sealed_mek, mek_version,
           created_at)
         VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(...wrappingValues(wrapping), mekVersion, now);
  }

  /** rewrap stores the MEK under a new password (rekey). */
  rewrap(wrapping: Wrapping, now: string): void {
    this.#db
      .prepare(
        `UPDATE seal_config SET salt = ?, argon2_time = ?,
           argon2_memory_kib = ?, argon2_threads = ?, argon2_key_length = ?,
           sealed_mek = ?, rekeyed_at = ?
         WHERE id = 1`,
      )
      .run(...wrappingValues(wrapping), now);
  }

  /** replaceMek stores a new MEK and its version (MEK rotation). */
  replaceMek(sealedMek: Buffer, mekVersion: number): void {
    this.#db
      .prepare(
        'UPDATE seal_config SET sealed_mek = ?, mek_version = ? WHERE id = 1',
      )
      .run(sealedMek, mekVersion);
  }
}

function wrappingValues(
  w: Wrapping,
): [Buffer, number, number, number, number, Buffer] {
  return [
    w.salt,
    w.params.time,
    w.params.memoryKiB,
    w.params.threads,
    w.params.keyLength,
    w.sealedMek,
  ];
}
