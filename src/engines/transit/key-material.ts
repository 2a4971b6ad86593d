// Making and loading transit key material in the key worker: raw bytes
// for symmetric keys, PKCS #8 DER for key pairs. Nothing here leaves the
// worker except public keys.
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
} from 'node:crypto';
import type { KeyObject } from 'node:crypto';

import { randomBytes } from '../../crypto/index.js';
import type { TransitKeyType } from './key-type-names.js';

/**
 * KeyMaterial is one unwrapped key version. secret holds the bytes of a
 * symmetric key, or the PKCS #8 DER of a private key; it is registered in
 * the worker's arena and wiped at seal. privateKey and publicKey are
 * node:crypto objects for key pairs: OpenSSL owns their memory, which
 * Node frees when they are dropped (at seal) but cannot wipe on demand.
 */
export interface KeyMaterial {
  readonly secret: Buffer;
  readonly privateKey?: KeyObject;
  readonly publicKey?: KeyObject;
}

const SYMMETRIC_BYTES: Partial<Record<TransitKeyType, number>> = {
  'aes256-gcm': 32,
  'chacha20-poly1305': 32,
  'hmac-sha256': 32,
  'hmac-sha512': 64,
};

const CURVES: Partial<Record<TransitKeyType, string>> = {
  'ecdsa-p256': 'P-256',
  'ecdsa-p384': 'P-384',
};

/**
 * generateSecret makes new key material of type: random bytes for a
 * symmetric key, a fresh key pair's PKCS #8 DER otherwise.
 */
export function generateSecret(type: TransitKeyType): Buffer {
  const bytes = SYMMETRIC_BYTES[type];
  if (bytes !== undefined) return randomBytes(bytes);
  const pair =
    type === 'ed25519'
      ? generateKeyPairSync('ed25519')
      : generateKeyPairSync('ec', { namedCurve: CURVES[type] ?? 'P-256' });
  return pair.privateKey.export({ format: 'der', type: 'pkcs8' });
}

/** isKeyPairType tells whether type has a private and a public key. */
export function isKeyPairType(type: TransitKeyType): boolean {
  return SYMMETRIC_BYTES[type] === undefined;
}

/** loadMaterial turns stored bytes into the material operations use. */
export function loadMaterial(
  type: TransitKeyType,
  secret: Buffer,
): KeyMaterial {
  if (!isKeyPairType(type)) return { secret };
  const privateKey = createPrivateKey({
    key: secret,
    format: 'der',
    type: 'pkcs8',
  });
  return { secret, privateKey, publicKey: createPublicKey(privateKey) };
}

/** publicKeyPem is the public half of a key pair's stored bytes, as PEM. */
export function publicKeyPem(secret: Buffer): string {
  const privateKey = createPrivateKey({
    key: secret,
    format: 'der',
    type: 'pkcs8',
  });
  return createPublicKey(privateKey)
    .export({ format: 'pem', type: 'spki' })
    .toString();
}
