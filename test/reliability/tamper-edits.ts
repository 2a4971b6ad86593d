// Edits an attacker (or a failing disk) could make to a vault file with
// the server stopped, written as SQL on a plain connection: no foreign
// keys, no checks beyond the schema's own.
import assert from 'node:assert/strict';

import type { Database } from 'better-sqlite3';

/** Where in a stored frame to flip a byte. */
export type Spot = 'first' | 'middle' | 'last';

/** flipped returns a copy of bytes with one byte at spot inverted. */
export function flipped(bytes: Buffer, spot: Spot): Buffer {
  const copy = Buffer.from(bytes);
  const at =
    spot === 'first' ? 0 : spot === 'last' ? copy.length - 1 : copy.length >> 1;
  copy[at] = (copy[at] ?? 0) ^ 0xff;
  return copy;
}

/** flipEntry flips one byte of the barrier entry at path. */
export function flipEntry(db: Database, path: string, spot: Spot): void {
  const row = db
    .prepare<[string], { ciphertext: Buffer }>(
      'SELECT ciphertext FROM barrier_entries WHERE path = ?',
    )
    .get(path);
  assert.ok(row !== undefined, `no entry ${path}`);
  changed(
    db
      .prepare('UPDATE barrier_entries SET ciphertext = ? WHERE path = ?')
      .run(flipped(row.ciphertext, spot), path).changes,
  );
}

/**
 * copyEntry overwrites the entry at `to` with the row at `from`: its
 * ciphertext and, when across mounts, the key id and version it names.
 */
export function copyEntry(db: Database, from: string, to: string): void {
  changed(
    db
      .prepare(
        `UPDATE barrier_entries SET
           (key_id, key_version, ciphertext) = (SELECT key_id, key_version,
             ciphertext FROM barrier_entries WHERE path = ?)
         WHERE path = ?`,
      )
      .run(from, to).changes,
  );
}

/** moveEntry renames the entry at from to the path to. */
export function moveEntry(db: Database, from: string, to: string): void {
  changed(
    db
      .prepare('UPDATE barrier_entries SET path = ? WHERE path = ?')
      .run(to, from).changes,
  );
}

/** swapDeks exchanges the sealed DEKs of version 1 of two key ids. */
export function swapDeks(db: Database, a: string, b: string): void {
  const read = db.prepare<[string], { sealed_dek: Buffer }>(
    'SELECT sealed_dek FROM barrier_keys WHERE key_id = ? AND version = 1',
  );
  const write = db.prepare(
    'UPDATE barrier_keys SET sealed_dek = ? WHERE key_id = ? AND version = 1',
  );
  const first = read.get(a);
  const second = read.get(b);
  assert.ok(first !== undefined && second !== undefined);
  db.transaction(() => {
    changed(write.run(second.sealed_dek, a).changes);
    changed(write.run(first.sealed_dek, b).changes);
  })();
}

/** flipDek flips one byte of version 1 of a sealed DEK. */
export function flipDek(db: Database, keyId: string, spot: Spot): void {
  const row = db
    .prepare<[string], { sealed_dek: Buffer }>(
      'SELECT sealed_dek FROM barrier_keys WHERE key_id = ? AND version = 1',
    )
    .get(keyId);
  assert.ok(row !== undefined, `no key ${keyId}`);
  changed(
    db
      .prepare(
        'UPDATE barrier_keys SET sealed_dek = ? WHERE key_id = ? AND version = 1',
      )
      .run(flipped(row.sealed_dek, spot), keyId).changes,
  );
}

/** setSeal sets one column of the seal_config row. */
export function setSeal(
  db: Database,
  column:
    | 'argon2_time'
    | 'argon2_memory_kib'
    | 'argon2_threads'
    | 'mek_version'
    | 'salt'
    | 'sealed_mek',
  value: number | Buffer,
): void {
  changed(
    db.prepare(`UPDATE seal_config SET ${column} = ? WHERE id = 1`).run(value)
      .changes,
  );
}

/** sealBytes reads the salt or the sealed MEK. */
export function sealBytes(db: Database, column: 'salt' | 'sealed_mek'): Buffer {
  const row = db
    .prepare<[], Record<string, Buffer>>(
      `SELECT ${column} FROM seal_config WHERE id = 1`,
    )
    .get();
  const value = row?.[column];
  assert.ok(value !== undefined, 'no seal configuration');
  return value;
}

function changed(rows: number): void {
  assert.equal(rows, 1, 'the edit changed no row');
}
