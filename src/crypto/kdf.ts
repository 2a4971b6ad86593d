// Argon2id parameters and the derivation of the key-wrapping key (KWK)
// from the seal password (RFC 9106).
import * as argon2 from 'argon2';

import { CryptoError } from '../errors/index.js';
import { KEY_LENGTH } from './aead.js';

/** Argon2idParams are stored at init and read back at every unseal. */
export interface Argon2idParams {
  /** Passes over memory (RFC 9106 "t"). */
  readonly time: number;
  /** Memory in KiB (RFC 9106 "m"). */
  readonly memoryKiB: number;
  /** Lanes (RFC 9106 "p"). */
  readonly threads: number;
  /** Output length in bytes; the KWK is an AES-256 key. */
  readonly keyLength: number;
  /** Salt length in bytes. */
  readonly saltLength: number;
}

/**
 * DEFAULT_ARGON2ID_PARAMS are the production parameters: 3 passes over
 * 128 MiB with 4 lanes, stronger than RFC 9106 §4's second recommended
 * option (t=3, m=64 MiB) at a cost of well under a second per unseal.
 */
export const DEFAULT_ARGON2ID_PARAMS: Readonly<Argon2idParams> = Object.freeze({
  time: 3,
  memoryKiB: 128 * 1024,
  threads: 4,
  keyLength: KEY_LENGTH,
  saltLength: 16,
});

// Upper bounds guard against a stored configuration (or a typo in the
// config file) that would make every unseal exhaust the host.
const MAX_TIME = 64;
const MAX_MEMORY_KIB = 4 * 1024 * 1024;
const MAX_THREADS = 64;
const MIN_SALT_LENGTH = 16;
const MAX_SALT_LENGTH = 64;

/**
 * checkArgon2idParams returns params unchanged if they are usable for the
 * KWK and throws `crypto_kdf_params` naming the first bad field otherwise.
 */
export function checkArgon2idParams(params: Argon2idParams): Argon2idParams {
  const { time, memoryKiB, threads, keyLength, saltLength } = params;
  if (!isIntIn(time, 1, MAX_TIME)) {
    throw badParam(`time must be 1 to ${MAX_TIME}`);
  }
  if (!isIntIn(threads, 1, MAX_THREADS)) {
    throw badParam(`threads must be 1 to ${MAX_THREADS}`);
  }
  // RFC 9106 §3.1: memory is at least 8 KiB per lane.
  if (!isIntIn(memoryKiB, 8 * threads, MAX_MEMORY_KIB)) {
    throw badParam(
      `memory must be ${8 * threads} to ${MAX_MEMORY_KIB} KiB ` +
        `for ${threads} threads`,
    );
  }
  if (keyLength !== KEY_LENGTH) {
    throw badParam(`key length must be ${KEY_LENGTH} bytes`);
  }
  if (!isIntIn(saltLength, MIN_SALT_LENGTH, MAX_SALT_LENGTH)) {
    throw badParam(
      `salt length must be ${MIN_SALT_LENGTH} to ${MAX_SALT_LENGTH} bytes`,
    );
  }
  return params;
}

/**
 * deriveKey runs Argon2id over password and salt and returns the raw key.
 * The caller owns both the password buffer and the result and zeroizes
 * them. This runs on libuv's thread pool; the key worker calls it from a
 * piscina task so that neither event loop waits on it.
 */
export async function deriveKey(
  password: Uint8Array,
  salt: Uint8Array,
  params: Argon2idParams,
): Promise<Buffer> {
  checkArgon2idParams(params);
  if (salt.length !== params.saltLength) {
    throw badParam(`salt must be ${params.saltLength} bytes`);
  }
  return argon2.hash(asBuffer(password), {
    raw: true,
    type: argon2.argon2id,
    version: 0x13,
    timeCost: params.time,
    memoryCost: params.memoryKiB,
    parallelism: params.threads,
    hashLength: params.keyLength,
    salt: asBuffer(salt),
  });
}

function isIntIn(value: number, min: number, max: number): boolean {
  return Number.isInteger(value) && value >= min && value <= max;
}

function badParam(detail: string): CryptoError {
  return new CryptoError('crypto_kdf_params', `argon2id: ${detail}`);
}

// A view, not a copy: copying the password would leave a second buffer
// for the caller to remember to wipe.
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
