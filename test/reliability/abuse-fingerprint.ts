// A digest of every row of a vault's database, table by table, read on a
// connection of its own while the server runs: two equal fingerprints
// mean nothing was written in between.
import { createHash } from 'node:crypto';

import { openDatabase } from '../../src/db/index.js';

/** VAULT_TABLES are every table the migrations create. */
export const VAULT_TABLES = [
  'seal_config',
  'unseal_attempts',
  'barrier_keys',
  'barrier_entries',
] as const;

/** Fingerprint is each table's row count and SHA-256 of its rows. */
export type Fingerprint = Readonly<Record<string, string>>;

/**
 * vaultFingerprint reads every table at path in a stable order. The rows
 * hold only sealed values; the digest leaves no trace of them anyway.
 */
export function vaultFingerprint(path: string): Fingerprint {
  const db = openDatabase(path, { create: false });
  try {
    const out: Record<string, string> = {};
    for (const table of VAULT_TABLES) {
      const rows = db
        .prepare<[], Record<string, unknown>>(
          `SELECT * FROM ${table} ORDER BY 1, 2`,
        )
        .all();
      const hash = createHash('sha256');
      for (const row of rows) {
        for (const [column, value] of Object.entries(row)) {
          hash.update(`${column}=`);
          hash.update(Buffer.isBuffer(value) ? value : String(value));
          hash.update('\0');
        }
        hash.update('\n');
      }
      out[table] = `${String(rows.length)} rows ${hash.digest('hex')}`;
    }
    return out;
  } finally {
    db.close();
  }
}

/** changedTables names the tables whose fingerprints differ. */
export function changedTables(
  before: Fingerprint,
  after: Fingerprint,
): string[] {
  return VAULT_TABLES.filter((table) => before[table] !== after[table]);
}
