// Transit encryption for the AEAD key types (AES-256-GCM, ChaCha20-
// Poly1305): the byte layout of a ciphertext, what it is bound to, and an
// error for each way opening one can fail.
import { createCipheriv, createDecipheriv } from 'node:crypto';
import type { CipherGCM, DecipherGCM } from 'node:crypto';

import { randomBytes, zeroize } from '../../crypto/index.js';
import { MetacryptError } from '../../errors/index.js';
import type { TransitKeyType } from './key-type-names.js';

// Layout of the bytes after `metacrypt:v<version>:` (base64 decoded):
//
//   offset  length  field
//   0       1       format: 0x01 made without a context, 0x02 with one
//   1       12      nonce, random (NIST SP 800-38D §8.2.2; RFC 8439 §2.8)
//   13      n       ciphertext
//   13+n    16      tag
//
// The associated data is "metacrypt:transit:<key name>:v<version>", a
// zero byte, the format byte, and then the caller's context if any: a
// ciphertext opens only under the key name and version it names, with the
// context it was made with, and its format byte cannot be edited.
const FORMAT_PLAIN = 0x01;
const FORMAT_CONTEXT = 0x02;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const OVERHEAD = 1 + NONCE_BYTES + TAG_BYTES;

/** AeadTarget names the key a ciphertext belongs to. */
export interface AeadTarget {
  readonly type: TransitKeyType;
  readonly keyName: string;
  readonly version: number;
  readonly key: Buffer;
}

/** sealAead encrypts plaintext, bound to target and context. */
export function sealAead(
  target: AeadTarget,
  plaintext: Uint8Array,
  context: Buffer | null,
): Buffer {
  const format = context === null ? FORMAT_PLAIN : FORMAT_CONTEXT;
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = makeCipher(target, nonce);
  cipher.setAAD(associatedData(target, format, context), {
    plaintextLength: plaintext.length,
  });
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([Buffer.of(format), nonce, body, cipher.getAuthTag()]);
}

/**
 * openAead decrypts what sealAead made. Each failure says what is wrong:
 * truncated, a context missing or unexpected, or a tag that does not
 * verify (altered, or the wrong context).
 */
export function openAead(
  target: AeadTarget,
  payload: Buffer,
  context: Buffer | null,
): Buffer {
  // Step 1: the layout and the format byte.
  if (payload.length < OVERHEAD) {
    throw new MetacryptError('invalid_ciphertext', 'ciphertext is truncated');
  }
  const format = payload[0];
  if (format !== FORMAT_PLAIN && format !== FORMAT_CONTEXT) {
    throw new MetacryptError(
      'invalid_ciphertext',
      'ciphertext: unknown format',
    );
  }
  if (format === FORMAT_CONTEXT && context === null) {
    throw new MetacryptError(
      'decryption_failed',
      'context required: the ciphertext was made with a context',
    );
  }
  if (format === FORMAT_PLAIN && context !== null) {
    throw new MetacryptError(
      'decryption_failed',
      'context not expected: the ciphertext was made without one',
    );
  }

  // Step 2: decrypt and verify the tag; unverified output is wiped.
  const nonce = payload.subarray(1, 1 + NONCE_BYTES);
  const body = payload.subarray(1 + NONCE_BYTES, payload.length - TAG_BYTES);
  const tag = payload.subarray(payload.length - TAG_BYTES);
  const decipher = makeDecipher(target, nonce);
  decipher.setAAD(associatedData(target, format, context), {
    plaintextLength: body.length,
  });
  decipher.setAuthTag(tag);
  const plaintext = decipher.update(body);
  try {
    return Buffer.concat([plaintext, decipher.final()]);
  } catch {
    throw new MetacryptError(
      'decryption_failed',
      context === null
        ? 'decryption failed: the ciphertext has been altered'
        : 'decryption failed: wrong context, or the ciphertext has been altered',
    );
  } finally {
    zeroize(plaintext);
  }
}

// The two ciphers share an interface (AAD, tag); node:crypto types them
// apart, so each is made by name. ChaCha20-Poly1305's is the GCM shape.
function makeCipher(target: AeadTarget, nonce: Buffer): CipherGCM {
  const options = { authTagLength: TAG_BYTES };
  if (target.type === 'aes256-gcm') {
    return createCipheriv('aes-256-gcm', target.key, nonce, options);
  }
  if (target.type === 'chacha20-poly1305') {
    return createCipheriv('chacha20-poly1305', target.key, nonce, options);
  }
  throw cannotEncrypt(target);
}

function makeDecipher(target: AeadTarget, nonce: Buffer): DecipherGCM {
  const options = { authTagLength: TAG_BYTES };
  if (target.type === 'aes256-gcm') {
    return createDecipheriv('aes-256-gcm', target.key, nonce, options);
  }
  if (target.type === 'chacha20-poly1305') {
    return createDecipheriv('chacha20-poly1305', target.key, nonce, options);
  }
  throw cannotEncrypt(target);
}

function cannotEncrypt(target: AeadTarget): MetacryptError {
  return new MetacryptError(
    'bad_request',
    `key ${target.keyName} (${target.type}) cannot encrypt`,
  );
}

function associatedData(
  target: AeadTarget,
  format: number,
  context: Buffer | null,
): Buffer {
  const label = `metacrypt:transit:${target.keyName}:v${String(target.version)}`;
  return Buffer.concat([
    Buffer.from(label, 'utf8'),
    Buffer.of(0, format),
    context ?? Buffer.alloc(0),
  ]);
}
