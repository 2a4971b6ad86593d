// The keyring: the MEK while unsealed, and the data keys (DEKs) it wraps,
// one key id per purpose with every version kept in barrier_keys.
import {
  aeadDecrypt,
  aeadEncrypt,
  constantTimeEqual,
  KEY_LENGTH,
  parseFrameHeader,
  randomBytes,
} from '../crypto/index.js';
import type { Database } from '../db/index.js';
import { MetacryptError } from '../errors/index.js';
import { dekContext, MEK_KEY_ID, mekRef } from './associated-data.js';
import { checkKeyId, SYSTEM_KEY_ID } from './barrier-path.js';
import type { KeyArena } from './key-arena.js';
import type { KeyInfo } from './protocol.js';

/** DataKey is one unwrapped DEK version, for sealing entries. */
export interface DataKey {
  readonly keyId: string;
  readonly version: number;
  readonly key: Buffer;
}

interface KeyRow {
  key_id: string;
  version: number;
  sealed_dek: Buffer;
  created_at: string;
}

/**
 * Keyring holds the MEK and unwraps DEKs on first use, keeping them until
 * seal. DEKs are opened lazily rather than all at unseal, so one damaged
 * row makes only its own key unusable and the rest keep serving. Every key
 * buffer lives in the arena, which seal wipes.
 */
export class Keyring {
  readonly #db: Database;
  readonly #arena: KeyArena;
  readonly #now: () => string;
  #mek: Buffer | null = null;
  #mekVersion = 0;
  readonly #deks = new Map<string, DataKey>();
  // The latest version of each key id, so a write does not query for it.
  // Every change of versions goes through this keyring, which updates it.
  readonly #latest = new Map<string, number>();

  constructor(db: Database, arena: KeyArena, now: () => string) {
    this.#db = db;
    this.#arena = arena;
    this.#now = now;
  }

  /** open takes ownership of the MEK (already in the arena). */
  open(mek: Buffer, mekVersion: number): void {
    this.close();
    this.#mek = mek;
    this.#mekVersion = mekVersion;
  }

  /** close forgets the MEK and every DEK and wipes their buffers. */
  close(): void {
    this.#arena.release(this.#mek);
    for (const dek of this.#deks.values()) this.#arena.release(dek.key);
    this.#deks.clear();
    this.#latest.clear();
    this.#mek = null;
    this.#mekVersion = 0;
  }

  /** isOpen tells whether the keyring holds an MEK. */
  get isOpen(): boolean {
    return this.#mek !== null;
  }

  /** matchesMek compares a candidate MEK with the open one in constant time. */
  matchesMek(candidate: Uint8Array): boolean {
    return constantTimeEqual(this.#requireMek(), candidate);
  }

  /** dek returns version `version` of key id, unwrapping it on first use. */
  dek(keyId: string, version: number): DataKey {
    const cached = this.#deks.get(cacheKey(keyId, version));
    if (cached !== undefined) return cached;

    const row = this.#db
      .prepare<[string, number], KeyRow>(
        'SELECT * FROM barrier_keys WHERE key_id = ? AND version = ?',
      )
      .get(keyId, version);
    if (row === undefined) {
      throw new MetacryptError(
        'barrier_integrity',
        `barrier: integrity check failed: key ${keyId} version ` +
          `${String(version)} is missing`,
      );
    }
    return this.#unwrap(row);
  }

  /** latest returns the DEK version new writes under key id use. */
  latest(keyId: string): DataKey {
    const version = this.#latestVersion(keyId);
    if (version === undefined) {
      throw new MetacryptError('not_found', `data key ${keyId} not found`);
    }
    return this.dek(keyId, version);
  }

  /** create makes version 1 of a new data key. */
  create(keyId: string): KeyInfo {
    checkKeyId(keyId);
    if (this.#latestVersion(keyId) !== undefined) {
      throw new MetacryptError('already_exists', `data key ${keyId} exists`);
    }
    this.#remember(this.#insertVersion(keyId, 1));
    return this.#info(keyId);
  }

  /**
   * rotate adds a new version of a data key. New writes use it; entries
   * sealed under older versions still open, since those stay stored.
   */
  rotate(keyId: string): KeyInfo {
    checkKeyId(keyId);
    const current = this.#latestVersion(keyId);
    if (current === undefined) {
      throw new MetacryptError('not_found', `data key ${keyId} not found`);
    }
    const now = this.#now();
    const added = this.#db
      .transaction(() => {
        this.#db
          .prepare(
            `UPDATE barrier_keys SET rotated_at = ?
             WHERE key_id = ? AND version = ?`,
          )
          .run(now, keyId, current);
        return this.#insertVersion(keyId, current + 1);
      })
      .immediate();
    // Only a committed version is used for new writes.
    this.#remember(added);
    return this.#info(keyId);
  }

  /**
   * destroy deletes a data key, every version, and every entry sealed
   * under it (an unmount), in one transaction. The system key cannot go.
   */
  destroy(keyId: string): number {
    checkKeyId(keyId);
    if (keyId === SYSTEM_KEY_ID) {
      throw new MetacryptError(
        'bad_request',
        'the system data key cannot be destroyed',
      );
    }
    if (this.#latestVersion(keyId) === undefined) {
      throw new MetacryptError('not_found', `data key ${keyId} not found`);
    }
    const deleted = this.#db
      .transaction(() => {
        const entries = this.#db
          .prepare('DELETE FROM barrier_entries WHERE key_id = ?')
          .run(keyId).changes;
        this.#db
          .prepare('DELETE FROM barrier_keys WHERE key_id = ?')
          .run(keyId);
        return entries;
      })
      .immediate();
    this.forget(keyId);
    return deleted;
  }

  /**
   * forget drops the cached versions and unwrapped DEKs of keyId, so the
   * next use reads barrier_keys again. Used when a transaction that wrote
   * the key's rows rolled back.
   */
  forget(keyId: string): void {
    this.#latest.delete(keyId);
    for (const [name, dek] of this.#deks) {
      if (dek.keyId !== keyId) continue;
      this.#arena.release(dek.key);
      this.#deks.delete(name);
    }
  }

  /** list describes every data key: ids and versions, no key bytes. */
  list(): KeyInfo[] {
    const ids = this.#db
      .prepare<[], { key_id: string }>(
        'SELECT DISTINCT key_id FROM barrier_keys ORDER BY key_id',
      )
      .all();
    return ids.map(({ key_id }) => this.#info(key_id));
  }

  /**
   * rewrapAll seals every DEK version under newMek as MEK version
   * newVersion. It must run inside the caller's transaction, which also
   * stores the new MEK: all rows move together or none does.
   */
  rewrapAll(newMek: Uint8Array, newVersion: number): number {
    const rows = this.#db
      .prepare<[], KeyRow>('SELECT * FROM barrier_keys')
      .all();
    const update = this.#db.prepare(
      'UPDATE barrier_keys SET sealed_dek = ? WHERE key_id = ? AND version = ?',
    );
    for (const row of rows) {
      const dek = this.dek(row.key_id, row.version);
      const sealed = aeadEncrypt(
        newMek,
        mekRef(newVersion),
        dek.key,
        dekContext(row.key_id, row.version),
      );
      update.run(sealed, row.key_id, row.version);
    }
    return rows.length;
  }

  /** replaceMek swaps in a new MEK after rewrapAll's transaction commits. */
  replaceMek(newMek: Buffer, newVersion: number): void {
    this.#arena.release(this.#mek);
    this.#mek = newMek;
    this.#mekVersion = newVersion;
  }

  /**
   * sealNewDek makes a random DEK and seals it under mek, for init, which
   * writes the first row before the keyring is open.
   */
  static sealNewDek(
    arena: KeyArena,
    mek: Uint8Array,
    mekVersion: number,
    keyId: string,
    version: number,
  ): { dek: Buffer; sealed: Buffer } {
    const dek = arena.adopt(randomBytes(KEY_LENGTH));
    const sealed = aeadEncrypt(
      mek,
      mekRef(mekVersion),
      dek,
      dekContext(keyId, version),
    );
    return { dek, sealed };
  }

  /** insertRow stores a sealed DEK version. */
  static insertRow(
    db: Database,
    keyId: string,
    version: number,
    sealed: Buffer,
    now: string,
  ): void {
    db.prepare(
      `INSERT INTO barrier_keys (key_id, version, sealed_dek, created_at)
       VALUES (?, ?, ?, ?)`,
    ).run(keyId, version, sealed, now);
  }

  // Makes, seals and stores a DEK version. The caller remembers it once
  // the row is committed; if the commit fails, the arena still wipes it.
  #insertVersion(keyId: string, version: number): DataKey {
    const { dek, sealed } = Keyring.sealNewDek(
      this.#arena,
      this.#requireMek(),
      this.#mekVersion,
      keyId,
      version,
    );
    try {
      Keyring.insertRow(this.#db, keyId, version, sealed, this.#now());
    } catch (err) {
      this.#arena.release(dek);
      throw err;
    }
    return { keyId, version, key: dek };
  }

  #remember(dek: DataKey): void {
    this.#deks.set(cacheKey(dek.keyId, dek.version), dek);
    this.#latest.set(dek.keyId, dek.version);
  }

  #unwrap(row: KeyRow): DataKey {
    const mek = this.#requireMek();
    const failed = (cause?: unknown): MetacryptError =>
      new MetacryptError(
        'barrier_integrity',
        `barrier: integrity check failed for key ${row.key_id} version ` +
          String(row.version),
        { cause },
      );

    // The frame must name the MEK version in use: a DEK left over from
    // before a rotation, or a forged header, is refused before decrypting.
    let header;
    try {
      header = parseFrameHeader(row.sealed_dek);
    } catch (err) {
      throw failed(err);
    }
    if (header.id !== MEK_KEY_ID || header.version !== this.#mekVersion) {
      throw failed();
    }

    let key: Buffer;
    try {
      key = aeadDecrypt(
        mek,
        row.sealed_dek,
        dekContext(row.key_id, row.version),
      );
    } catch (err) {
      throw failed(err);
    }
    const dek = { keyId: row.key_id, version: row.version, key };
    this.#arena.adopt(key);
    this.#deks.set(cacheKey(row.key_id, row.version), dek);
    return dek;
  }

  #latestVersion(keyId: string): number | undefined {
    const cached = this.#latest.get(keyId);
    if (cached !== undefined) return cached;
    const row = this.#db
      .prepare<[string], { v: number | null }>(
        'SELECT MAX(version) AS v FROM barrier_keys WHERE key_id = ?',
      )
      .get(keyId);
    const version = row?.v ?? undefined;
    if (version !== undefined) this.#latest.set(keyId, version);
    return version;
  }

  #info(keyId: string): KeyInfo {
    const rows = this.#db
      .prepare<[string], { version: number; created_at: string }>(
        `SELECT version, created_at FROM barrier_keys WHERE key_id = ?
         ORDER BY version`,
      )
      .all(keyId);
    const last = rows.at(-1);
    if (last === undefined) {
      throw new MetacryptError('not_found', `data key ${keyId} not found`);
    }
    return {
      keyId,
      versions: rows.map((r) => r.version),
      latest: last.version,
      createdAt: last.created_at,
    };
  }

  #requireMek(): Buffer {
    if (this.#mek === null) throw new MetacryptError('sealed');
    return this.#mek;
  }
}

function cacheKey(keyId: string, version: number): string {
  return `${keyId}#${String(version)}`;
}
