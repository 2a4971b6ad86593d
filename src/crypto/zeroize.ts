// Helpers that wipe key material and compare secrets without timing leaks.
import { timingSafeEqual } from 'node:crypto';

/**
 * zeroize overwrites every given buffer with zeros. Missing buffers are
 * skipped so callers can wipe in `finally` whatever was allocated so far,
 * and so are buffers whose memory was transferred to another thread (a
 * detached view has length 0 and nothing left here to wipe).
 */
export function zeroize(...buffers: (Uint8Array | null | undefined)[]): void {
  for (const buf of buffers) {
    if (buf !== null && buf !== undefined && buf.byteLength > 0) buf.fill(0);
  }
}

/**
 * withZeroized runs fn with a secret buffer and wipes the buffer after fn
 * returns or throws, or after the promise fn returns settles.
 */
export function withZeroized<T>(
  secret: Uint8Array,
  fn: (s: Uint8Array) => T,
): T {
  let result: T;
  try {
    result = fn(secret);
  } catch (err) {
    zeroize(secret);
    throw err;
  }
  if (result instanceof Promise) {
    return result.finally(() => {
      zeroize(secret);
    }) as T;
  }
  zeroize(secret);
  return result;
}

/**
 * constantTimeEqual compares two secrets in time that depends only on
 * their lengths. A length mismatch still runs a comparison so that the
 * early exit does not stand out more than the length itself does.
 */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) {
    timingSafeEqual(a, a);
    return false;
  }
  return timingSafeEqual(a, b);
}

/** isAllZero tells whether every byte of buf is zero (for tests and checks). */
export function isAllZero(buf: Uint8Array): boolean {
  return buf.every((byte) => byte === 0);
}
