// The seal_config row: the Argon2id salt and parameters and the MEK sealed
// under the key-wrapping key. One row per database, or none before init.
import {
  checkArgon2idParams,
  KEY_LENGTH,
  NONCE_LENGTH,
  parseFrameHeader,
  TAG_LENGTH,
} from '../crypto/index.js';
import type { Argon2idParams } from '../crypto/index.js';
import type { Database } from '../db/index.js';
import { MetacryptError } from '../errors/index.js';
import { KWK_REF } from './associated-data.js';

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

  /**
   * isInitialized tells whether init has completed on this database. Init
   * writes the seal_config row and the system DEK together, so either one
   * is proof: a file whose seal_config row was deleted still counts, and
   * is then refused as damaged at unseal rather than offered a new init.
   */
  isInitialized(): boolean {
    return (
      this.#db
        .prepare(
          `SELECT 1 WHERE EXISTS (SELECT 1 FROM seal_config)
             OR EXISTS (SELECT 1 FROM barrier_keys)`,
        )
        .get() !== undefined
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

// The MEK frame: the fixed header, the id "kwk", the MEK and the tag.
const SEALED_MEK_LENGTH =
  1 + 1 + KWK_REF.id.length + 4 + NONCE_LENGTH + KEY_LENGTH + TAG_LENGTH;

/**
 * checkSealConfig throws `barrier_integrity` when the row cannot be what
 * init or rekey wrote, before any password is tried: parameters outside
 * the KDF's bounds, a salt of the wrong length, or a sealed MEK that is
 * not one frame of the right size under the KWK. Such a row is refused
 * without counting an unseal attempt, since no password was tested. A
 * damaged byte anywhere else (the salt's bytes, a parameter within its
 * bounds, the MEK's nonce, ciphertext or tag, mek_version) cannot be told
 * from a wrong password: the MEK's tag fails either way.
 */
export function checkSealConfig(config: SealConfig | undefined): SealConfig {
  if (config === undefined) throw damaged('missing');
  try {
    checkArgon2idParams(config.params);
  } catch (err) {
    throw damaged(`damaged (${errorText(err)})`, err);
  }
  let header;
  try {
    header = parseFrameHeader(config.sealedMek);
  } catch (err) {
    throw damaged(`damaged (${errorText(err)})`, err);
  }
  if (header.id !== KWK_REF.id || header.version !== KWK_REF.version) {
    throw damaged('damaged (the MEK is not sealed under the KWK)');
  }
  if (config.sealedMek.length !== SEALED_MEK_LENGTH) {
    throw damaged(
      `damaged (the sealed MEK is ${String(config.sealedMek.length)} ` +
        `bytes, not ${String(SEALED_MEK_LENGTH)})`,
    );
  }
  return config;
}

function damaged(what: string, cause?: unknown): MetacryptError {
  return new MetacryptError(
    'barrier_integrity',
    `barrier: integrity check failed: the seal configuration is ${what}`,
    { cause },
  );
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
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
