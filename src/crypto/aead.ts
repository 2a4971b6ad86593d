// AES-256-GCM with one self-describing frame, used for the MEK under the
// KWK, DEKs under the MEK and every barrier entry under its DEK.
import { createCipheriv, createDecipheriv } from 'node:crypto';

import { CryptoError } from '../errors/index.js';
import { randomBytes } from './random.js';

// Frame layout, all integers big-endian:
//
//   offset    size  field
//   0         1     format version, FRAME_VERSION
//   1         1     key id length L, 1..255
//   2         L     key id, UTF-8 ("mek", "system", "engine/<mount>", ...)
//   2+L       4     key version, uint32, 1 or more
//   6+L       12    nonce, random
//   18+L      n     ciphertext, as long as the plaintext
//   18+L+n    16    GCM authentication tag
//
// GCM's associated data is the header (bytes 0 to 18+L) followed by the
// caller's associated data, so neither the key reference nor the context
// (the storage path, or the key id a wrapped key belongs to) can be changed
// without the tag failing.

/** FRAME_VERSION is the version byte of the current frame format. */
export const FRAME_VERSION = 1;
/** KEY_LENGTH is the AES-256 key length in bytes. */
export const KEY_LENGTH = 32;
/**
 * NONCE_LENGTH is 96 bits, the length NIST SP 800-38D §8.2 recommends.
 * Nonces are random (§8.2.2), which keeps the chance of a repeat below
 * 2^-32 for up to 2^32 encryptions under one key; keys are rotated long
 * before that.
 */
export const NONCE_LENGTH = 12;
/** TAG_LENGTH is the full 128-bit GCM tag; shorter tags are never used. */
export const TAG_LENGTH = 16;

const MAX_KEY_ID_LENGTH = 255;
const MAX_KEY_VERSION = 0xffffffff;
const FIXED_HEADER_LENGTH = 1 + 1 + 4 + NONCE_LENGTH;

/** KeyRef names the key a frame was sealed under. */
export interface KeyRef {
  readonly id: string;
  readonly version: number;
}

/** FrameHeader is what can be read from a frame without its key. */
export interface FrameHeader extends KeyRef {
  readonly formatVersion: number;
}

/**
 * aeadEncrypt seals plaintext under key and returns a frame that names
 * keyRef. The associated data is bound to the frame but not stored in it;
 * the same bytes must be given to aeadDecrypt.
 */
export function aeadEncrypt(
  key: Uint8Array,
  keyRef: KeyRef,
  plaintext: Uint8Array,
  associatedData: Uint8Array | string,
): Buffer {
  checkKey(key);
  const header = encodeHeader(keyRef, randomBytes(NONCE_LENGTH));
  const nonce = header.subarray(header.length - NONCE_LENGTH);

  const cipher = createCipheriv('aes-256-gcm', key, nonce, {
    authTagLength: TAG_LENGTH,
  });
  cipher.setAAD(Buffer.concat([header, toBytes(associatedData)]));
  const body = cipher.update(plaintext);
  const final = cipher.final();
  return Buffer.concat([header, body, final, cipher.getAuthTag()]);
}

/**
 * aeadDecrypt opens a frame made by aeadEncrypt. It fails with
 * `crypto_malformed` for a frame it cannot parse and `crypto_auth_failed`
 * when the key, the associated data or any byte of the frame is wrong.
 * The caller owns the returned plaintext and should zeroize it.
 */
export function aeadDecrypt(
  key: Uint8Array,
  frame: Uint8Array,
  associatedData: Uint8Array | string,
): Buffer {
  checkKey(key);
  const { header, headerLength } = readHeader(frame);
  const nonce = frame.subarray(headerLength - NONCE_LENGTH, headerLength);
  const body = frame.subarray(headerLength, frame.length - TAG_LENGTH);
  const tag = frame.subarray(frame.length - TAG_LENGTH);

  const decipher = createDecipheriv('aes-256-gcm', key, nonce, {
    authTagLength: TAG_LENGTH,
  });
  decipher.setAAD(
    Buffer.concat([frame.subarray(0, headerLength), toBytes(associatedData)]),
  );
  decipher.setAuthTag(tag);
  const plaintext = decipher.update(body);
  try {
    decipher.final();
  } catch (err) {
    // The tag did not match: wipe the unauthenticated plaintext before
    // reporting, so it cannot be used by mistake.
    plaintext.fill(0);
    throw new CryptoError(
      'crypto_auth_failed',
      `message authentication failed for key ${header.id} ` +
        `version ${header.version}`,
      { cause: err },
    );
  }
  return plaintext;
}

/**
 * parseFrameHeader reads the format version and key reference of a frame
 * without a key, so the caller can pick the key to open it with.
 */
export function parseFrameHeader(frame: Uint8Array): FrameHeader {
  return readHeader(frame).header;
}

// Strict UTF-8: a key id that does not decode is a damaged frame, and a
// lenient decoder would hide that by substituting characters.
const utf8 = new TextDecoder('utf-8', { fatal: true });

function readHeader(frame: Uint8Array): {
  header: FrameHeader;
  headerLength: number;
} {
  const bytes = Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength);
  if (bytes.length < 2) {
    throw malformed('ciphertext is truncated');
  }
  const formatVersion = bytes.readUInt8(0);
  if (formatVersion !== FRAME_VERSION) {
    throw malformed(`unsupported ciphertext format version ${formatVersion}`);
  }
  const idLength = bytes.readUInt8(1);
  if (idLength === 0) {
    throw malformed('ciphertext has an empty key id');
  }
  const headerLength = FIXED_HEADER_LENGTH + idLength;
  if (bytes.length < headerLength + TAG_LENGTH) {
    throw malformed('ciphertext is truncated');
  }
  let id: string;
  try {
    id = utf8.decode(bytes.subarray(2, 2 + idLength));
  } catch {
    throw malformed('ciphertext key id is not UTF-8');
  }
  const version = bytes.readUInt32BE(2 + idLength);
  if (version === 0) {
    throw malformed('ciphertext has key version 0');
  }
  return { header: { formatVersion, id, version }, headerLength };
}

function encodeHeader(keyRef: KeyRef, nonce: Buffer): Buffer {
  const id = Buffer.from(keyRef.id, 'utf8');
  if (id.length === 0 || id.length > MAX_KEY_ID_LENGTH) {
    throw new RangeError('aead: key id must be 1 to 255 bytes');
  }
  if (
    !Number.isInteger(keyRef.version) ||
    keyRef.version < 1 ||
    keyRef.version > MAX_KEY_VERSION
  ) {
    throw new RangeError('aead: key version must be a uint32 of 1 or more');
  }
  const header = Buffer.alloc(FIXED_HEADER_LENGTH + id.length);
  header.writeUInt8(FRAME_VERSION, 0);
  header.writeUInt8(id.length, 1);
  id.copy(header, 2);
  header.writeUInt32BE(keyRef.version, 2 + id.length);
  nonce.copy(header, 6 + id.length);
  return header;
}

function checkKey(key: Uint8Array): void {
  if (key.length !== KEY_LENGTH) {
    throw new CryptoError(
      'crypto_key_length',
      `key must be ${KEY_LENGTH} bytes, got ${key.length}`,
    );
  }
}

function toBytes(data: Uint8Array | string): Uint8Array {
  return typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
}

function malformed(detail: string): CryptoError {
  return new CryptoError('crypto_malformed', detail);
}
