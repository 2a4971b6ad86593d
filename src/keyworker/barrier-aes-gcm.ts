// The barrier over SQLite: each entry sealed with AES-256-GCM under the
// current version of its key id's DEK, with the path as associated data.
import { aeadDecrypt, aeadEncrypt, parseFrameHeader } from '../crypto/index.js';
import type { Database, Statement } from '../db/index.js';
import { MetacryptError } from '../errors/index.js';
import { entryContext } from './associated-data.js';
import type { Barrier } from './barrier.js';
import { checkPath, checkPrefix, keyIdForPath } from './barrier-path.js';
import type { Keyring } from './keyring.js';

interface EntryRow {
  key_id: string;
  key_version: number;
  ciphertext: Buffer;
}

// The highest character a path may contain is "z" (0x7a); every path
// under a prefix sorts below prefix + "~" (0x7e), so a range scan on the
// primary key finds them without LIKE and its escaping.
const PREFIX_END = '~';

/** BarrierAesGcm implements Barrier on barrier_entries and a Keyring. */
export class BarrierAesGcm implements Barrier {
  readonly #keyring: Keyring;
  readonly #now: () => string;
  // Statements are compiled once: preparing one costs more than the
  // AES-GCM work of a small entry.
  readonly #select: Statement<[string], EntryRow>;
  readonly #upsert: Statement<[string, string, number, Buffer, string]>;
  readonly #remove: Statement<[string]>;
  readonly #range: Statement<[string, string], { path: string }>;

  constructor(db: Database, keyring: Keyring, now: () => string) {
    this.#keyring = keyring;
    this.#now = now;
    this.#select = db.prepare(
      `SELECT key_id, key_version, ciphertext FROM barrier_entries
       WHERE path = ?`,
    );
    this.#upsert = db.prepare(
      `INSERT INTO barrier_entries
         (path, key_id, key_version, ciphertext, updated_at)
       VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (path) DO UPDATE SET key_id = excluded.key_id,
         key_version = excluded.key_version,
         ciphertext = excluded.ciphertext,
         updated_at = excluded.updated_at`,
    );
    this.#remove = db.prepare('DELETE FROM barrier_entries WHERE path = ?');
    this.#range = db.prepare(
      `SELECT path FROM barrier_entries WHERE path >= ? AND path < ?
       ORDER BY path`,
    );
  }

  get(path: string): Buffer | null {
    checkPath(path);
    const row = this.#select.get(path);
    if (row === undefined) return null;

    // The row, the frame and the path must all name the same key before
    // any decryption: a row moved from another mount fails here.
    const failed = (cause?: unknown): MetacryptError =>
      new MetacryptError(
        'barrier_integrity',
        `barrier: integrity check failed for ${path}`,
        { cause },
      );
    let header;
    try {
      header = parseFrameHeader(row.ciphertext);
    } catch (err) {
      throw failed(err);
    }
    const keyId = keyIdForPath(path);
    if (
      row.key_id !== keyId ||
      header.id !== keyId ||
      header.version !== row.key_version
    ) {
      throw failed();
    }

    const dek = this.#keyring.dek(keyId, header.version);
    try {
      return aeadDecrypt(dek.key, row.ciphertext, entryContext(path));
    } catch (err) {
      throw failed(err);
    }
  }

  put(path: string, value: Uint8Array): void {
    checkPath(path);
    const dek = this.#keyring.latest(keyIdForPath(path));
    const frame = aeadEncrypt(
      dek.key,
      { id: dek.keyId, version: dek.version },
      value,
      entryContext(path),
    );
    this.#upsert.run(path, dek.keyId, dek.version, frame, this.#now());
  }

  delete(path: string): boolean {
    checkPath(path);
    return this.#remove.run(path).changes > 0;
  }

  list(prefix: string): string[] {
    checkPrefix(prefix);
    return this.#range.all(prefix, prefix + PREFIX_END).map((row) => row.path);
  }
}
