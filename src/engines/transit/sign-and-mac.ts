// Signatures and HMACs for transit keys: Ed25519 (RFC 8032) over the
// message itself, ECDSA over a SHA-2 digest with DER-encoded signatures
// (what OpenSSL and most verifiers expect), and HMAC-SHA-2 (RFC 2104).
import { createHmac, sign, timingSafeEqual, verify } from 'node:crypto';

import { MetacryptError } from '../../errors/index.js';
import type { KeyMaterial } from './key-material.js';
import type { SignatureHash, TransitKeyType } from './key-type-names.js';

const DEFAULT_HASH: Partial<Record<TransitKeyType, SignatureHash>> = {
  'ecdsa-p256': 'sha2-256',
  'ecdsa-p384': 'sha2-384',
};

const NODE_HASH: Readonly<Record<SignatureHash, string>> = {
  'sha2-256': 'sha256',
  'sha2-384': 'sha384',
  'sha2-512': 'sha512',
};

/** SigningKey is a key pair version and the name it goes by. */
export interface SigningKey {
  readonly type: TransitKeyType;
  readonly keyName: string;
  readonly material: KeyMaterial;
}

/**
 * digestFor says which hash a signature uses: none for Ed25519, which
 * hashes internally, the curve's own SHA-2 for ECDSA unless asked.
 */
export function digestFor(
  key: SigningKey,
  requested: SignatureHash | undefined,
): string | null {
  if (key.type === 'ed25519') {
    if (requested !== undefined) {
      throw new MetacryptError(
        'bad_request',
        'hash_algorithm: ed25519 keys sign the message itself',
      );
    }
    return null;
  }
  const hash = requested ?? DEFAULT_HASH[key.type];
  if (hash === undefined) throw cannot(key, 'sign');
  return NODE_HASH[hash];
}

/** signMessage signs input with the key's private half. */
export function signMessage(
  key: SigningKey,
  input: Buffer,
  hash: SignatureHash | undefined,
): Buffer {
  const { privateKey } = key.material;
  if (privateKey === undefined) throw cannot(key, 'sign');
  const digest = digestFor(key, hash);
  return sign(digest, input, { key: privateKey, dsaEncoding: 'der' });
}

/** verifyMessage checks a signature with the key's public half. */
export function verifyMessage(
  key: SigningKey,
  input: Buffer,
  signature: Buffer,
  hash: SignatureHash | undefined,
): boolean {
  const { publicKey } = key.material;
  if (publicKey === undefined) throw cannot(key, 'verify');
  const digest = digestFor(key, hash);
  try {
    return verify(
      digest,
      input,
      { key: publicKey, dsaEncoding: 'der' },
      signature,
    );
  } catch {
    // A signature that is not even DER is simply not valid.
    return false;
  }
}

/** hmacOf computes the HMAC of input under an HMAC key version. */
export function hmacOf(key: SigningKey, input: Buffer): Buffer {
  const algorithm =
    key.type === 'hmac-sha256'
      ? 'sha256'
      : key.type === 'hmac-sha512'
        ? 'sha512'
        : undefined;
  if (algorithm === undefined) throw cannot(key, 'hmac');
  return createHmac(algorithm, key.material.secret).update(input).digest();
}

/** sameMac compares two HMACs in constant time. */
export function sameMac(expected: Buffer, given: Buffer): boolean {
  return expected.length === given.length && timingSafeEqual(expected, given);
}

function cannot(key: SigningKey, what: string): MetacryptError {
  return new MetacryptError(
    'bad_request',
    `key ${key.keyName} (${key.type}) cannot ${what}`,
  );
}
