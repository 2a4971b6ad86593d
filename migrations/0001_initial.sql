-- The initial schema: the seal configuration, the unseal limiter's memory,
-- the barrier's data keys and the encrypted entries (DESIGN.md §3).
-- schema_migrations is created by the migration runner itself.
--
-- Every table is STRICT, so a value of the wrong type is an error rather
-- than being stored as whatever SQLite makes of it. Timestamps stored as
-- TEXT are ISO 8601 in UTC; the CHECKs only insist that SQLite can read
-- them as a date. Integer timestamps are Unix milliseconds.

-- seal_config holds what unsealing needs besides the password: the Argon2id
-- salt and parameters that derive the key-wrapping key (KWK), and the
-- master encryption key (MEK) sealed under the KWK. There is one vault per
-- database, hence one row, pinned to id 1. The parameter ranges are the
-- limits of RFC 9106 §3.1, not policy; the KDF code applies its own
-- tighter bounds before use.
CREATE TABLE seal_config (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  salt BLOB NOT NULL CHECK (length(salt) >= 8),
  argon2_time INTEGER NOT NULL CHECK (argon2_time >= 1),
  argon2_memory_kib INTEGER NOT NULL
    CHECK (argon2_memory_kib >= 8 * argon2_threads),
  argon2_threads INTEGER NOT NULL
    CHECK (argon2_threads BETWEEN 1 AND 16777215),
  argon2_key_length INTEGER NOT NULL CHECK (argon2_key_length >= 4),
  sealed_mek BLOB NOT NULL CHECK (length(sealed_mek) > 0),
  mek_version INTEGER NOT NULL DEFAULT 1 CHECK (mek_version >= 1),
  created_at TEXT NOT NULL CHECK (julianday(created_at) IS NOT NULL),
  rekeyed_at TEXT
    CHECK (rekeyed_at IS NULL OR julianday(rekeyed_at) IS NOT NULL)
) STRICT;

-- unseal_attempts remembers failed unseal attempts so that restarting the
-- server does not reset the limiter. One row per failure; the row whose
-- failure triggered a lockout also carries when the lockout ends. The
-- limiter counts recent failures, hence the index on failed_at.
CREATE TABLE unseal_attempts (
  id INTEGER PRIMARY KEY,
  failed_at INTEGER NOT NULL CHECK (failed_at >= 0),
  lockout_until INTEGER
    CHECK (lockout_until IS NULL OR lockout_until >= failed_at)
) STRICT;

CREATE INDEX unseal_attempts_failed_at ON unseal_attempts (failed_at);

-- barrier_keys holds the data encryption keys (DEKs), each sealed under the
-- MEK: one key id per purpose (`system`, `engine/<mount>`), with every
-- version kept after a rotation so that older entries still open.
CREATE TABLE barrier_keys (
  key_id TEXT NOT NULL CHECK (key_id <> ''),
  version INTEGER NOT NULL CHECK (version >= 1),
  sealed_dek BLOB NOT NULL CHECK (length(sealed_dek) > 0),
  created_at TEXT NOT NULL CHECK (julianday(created_at) IS NOT NULL),
  rotated_at TEXT
    CHECK (rotated_at IS NULL OR julianday(rotated_at) IS NOT NULL),
  PRIMARY KEY (key_id, version)
) STRICT;

-- barrier_entries holds everything stored behind the barrier, one
-- ciphertext per path, each naming the key version that sealed it. The
-- foreign key has no ON DELETE action on purpose: a key version cannot be
-- deleted while an entry still needs it, so destroying a DEK can never
-- strand data by accident (an unmount deletes the entries first). The
-- index serves that check and finds the entries to re-encrypt after a
-- rotation.
CREATE TABLE barrier_entries (
  path TEXT PRIMARY KEY CHECK (path <> ''),
  key_id TEXT NOT NULL,
  key_version INTEGER NOT NULL,
  ciphertext BLOB NOT NULL CHECK (length(ciphertext) > 0),
  updated_at TEXT NOT NULL CHECK (julianday(updated_at) IS NOT NULL),
  FOREIGN KEY (key_id, key_version) REFERENCES barrier_keys (key_id, version)
) STRICT;

CREATE INDEX barrier_entries_key ON barrier_entries (key_id, key_version);
