// The tampering cases on the seal configuration: each alters the row and
// is then refused the unseal with the right password, as damage when the
// row cannot be what init wrote, else as a wrong password.
import type { Database } from 'better-sqlite3';

import { PASSWORD } from '../keyworker/vault-scratch.js';
import { flipped, sealBytes, setSeal } from './tamper-edits.js';
import { get, served } from './tamper-probes.js';
import type { Probe, TamperCase } from './tamper-probes.js';

const unseal = { method: 'POST', path: '/v1/unseal' } as const;
const stillSealed: Probe[] = [
  served('status', 'anyone', get('/v1/status'), 200, { state: 'sealed' }),
  served('health', 'anyone', get('/v1/health')),
];

// A seal case: the edit, and the refusal of the right password.
function sealCase(
  id: string,
  edit: string,
  tamper: (db: Database) => void,
  refusal: { status: number; code: string; message: string },
): TamperCase {
  return {
    id,
    edit,
    target: 'seal',
    tamper,
    counted: refusal.code === 'invalid_password',
    probes: () => ({
      refused: [
        {
          what: 'unseal with the right password',
          as: 'anyone',
          ...unseal,
          body: { password: PASSWORD },
          ...refusal,
        },
      ],
      served: stillSealed,
    }),
  };
}

const wrongPassword = {
  status: 401,
  code: 'invalid_password',
  message: 'invalid password',
};
const damaged = (why: string): typeof wrongPassword => ({
  status: 500,
  code: 'barrier_integrity',
  message:
    'barrier: integrity check failed: the seal configuration is ' +
    (why === 'missing' ? why : `damaged (${why})`),
});

/** SEAL_CASES edit the seal configuration. */
export const SEAL_CASES: readonly TamperCase[] = [
  sealCase(
    'seal-time',
    'seal config: argon2_time 1 to 2',
    (db) => {
      setSeal(db, 'argon2_time', 2);
    },
    wrongPassword,
  ),
  sealCase(
    'seal-memory',
    'seal config: argon2_memory_kib 256 to 264',
    (db) => {
      setSeal(db, 'argon2_memory_kib', 264);
    },
    wrongPassword,
  ),
  sealCase(
    'seal-salt',
    'seal config: a byte of the salt flipped',
    (db) => {
      setSeal(db, 'salt', flipped(sealBytes(db, 'salt'), 'middle'));
    },
    wrongPassword,
  ),
  sealCase(
    'seal-mek-tag',
    "seal config: the wrapped MEK's last byte flipped",
    (db) => {
      setSeal(db, 'sealed_mek', flipped(sealBytes(db, 'sealed_mek'), 'last'));
    },
    wrongPassword,
  ),
  sealCase(
    'seal-mek-version',
    'seal config: mek_version 1 to 2',
    (db) => {
      setSeal(db, 'mek_version', 2);
    },
    wrongPassword,
  ),
  sealCase(
    'seal-mek-header',
    "seal config: the wrapped MEK's format byte flipped",
    (db) => {
      setSeal(db, 'sealed_mek', flipped(sealBytes(db, 'sealed_mek'), 'first'));
    },
    damaged('crypto: unsupported ciphertext format version 254'),
  ),
  sealCase(
    'seal-time-range',
    'seal config: argon2_time 1 to 100000',
    (db) => {
      setSeal(db, 'argon2_time', 100_000);
    },
    damaged('crypto: argon2id: time must be 1 to 64'),
  ),
  sealCase(
    'seal-salt-short',
    'seal config: the salt cut to 8 bytes',
    (db) => {
      setSeal(db, 'salt', sealBytes(db, 'salt').subarray(0, 8));
    },
    damaged('crypto: argon2id: salt length must be 16 to 64 bytes'),
  ),
  sealCase(
    'seal-missing',
    'seal config: the row deleted',
    (db) => {
      db.prepare('DELETE FROM seal_config').run();
    },
    damaged('missing'),
  ),
];
