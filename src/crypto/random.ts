// Secure random bytes for keys, salts and nonces.
import { randomFillSync } from 'node:crypto';

/**
 * randomBytes returns n bytes from the operating system's CSPRNG in a
 * buffer of its own. Buffer.alloc (never allocUnsafe) keeps key material
 * out of Node's shared buffer pool, so zeroizing the buffer clears the only
 * copy we made.
 */
export function randomBytes(n: number): Buffer {
  if (!Number.isInteger(n) || n < 0) {
    throw new RangeError(`randomBytes: length must be a whole number`);
  }
  const buf = Buffer.alloc(n);
  randomFillSync(buf);
  return buf;
}
