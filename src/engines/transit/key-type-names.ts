// The transit engine's key types and key names: shared by ops.ts (input
// checks on the main thread) and the core (the crypto in the key worker).

/** TRANSIT_KEY_TYPES lists every key type a transit key may have. */
export const TRANSIT_KEY_TYPES = [
  'aes256-gcm',
  'chacha20-poly1305',
  'ed25519',
  'ecdsa-p256',
  'ecdsa-p384',
  'hmac-sha256',
  'hmac-sha512',
] as const;

/** TransitKeyType is one transit key type. */
export type TransitKeyType = (typeof TRANSIT_KEY_TYPES)[number];

/** DEFAULT_KEY_TYPE is what create-key makes when no type is given. */
export const DEFAULT_KEY_TYPE: TransitKeyType = 'aes256-gcm';

/** KeyPurpose is what a key type can be used for. */
export type KeyPurpose = 'encryption' | 'signing' | 'hmac';

/** KEY_PURPOSE maps each key type to its one purpose. */
export const KEY_PURPOSE: Readonly<Record<TransitKeyType, KeyPurpose>> = {
  'aes256-gcm': 'encryption',
  'chacha20-poly1305': 'encryption',
  ed25519: 'signing',
  'ecdsa-p256': 'signing',
  'ecdsa-p384': 'signing',
  'hmac-sha256': 'hmac',
  'hmac-sha512': 'hmac',
};

/**
 * KEY_NAME matches a key name: 1 to 128 letters, digits, `.`, `_` or `-`,
 * not starting with a dot. A name is a barrier path segment, so `.` and
 * `..` must never be one.
 */
export const KEY_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/;

/** KEY_NAME_RULE says the rule in words, for error messages. */
export const KEY_NAME_RULE =
  'must be 1 to 128 letters, digits, ".", "_" or "-", not starting with "."';

/** MAX_BATCH is the most items one batch_input may hold. */
export const MAX_BATCH = 10_000;

/** DATAKEY_BITS are the sizes datakey can make. */
export const DATAKEY_BITS = [128, 256, 512] as const;

/** SIGNATURE_HASHES are the hashes ECDSA keys can sign with. */
export const SIGNATURE_HASHES = ['sha2-256', 'sha2-384', 'sha2-512'] as const;

/** SignatureHash is one of SIGNATURE_HASHES. */
export type SignatureHash = (typeof SIGNATURE_HASHES)[number];
