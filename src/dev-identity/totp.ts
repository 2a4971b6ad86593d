// Time-based one-time passwords as RFC 6238 defines them (HMAC-SHA1, six
// digits, 30-second steps), and the RFC 4648 base32 their secrets use.
import { createHmac, timingSafeEqual } from 'node:crypto';

const BASE32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const STEP_SECONDS = 30;
const DIGITS = 6;
const CODE = /^\d{6}$/;

// RFC 4226 §4 asks for a shared secret of at least 128 bits; the 80-bit
// secrets many authenticator apps still show are accepted too.
const MIN_SECRET_BYTES = 10;

/**
 * decodeBase32 decodes an RFC 4648 base32 string (either case, padding
 * optional), or returns undefined when it is not valid base32.
 */
export function decodeBase32(text: string): Buffer | undefined {
  const body = text.toUpperCase().replace(/=+$/, '');
  // Unpadded base32 never ends after 1, 3 or 6 characters of a group.
  if (body === '' || [1, 3, 6].includes(body.length % 8)) return undefined;

  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const char of body) {
    const digit = BASE32_ALPHABET.indexOf(char);
    if (digit < 0) return undefined;
    value = (value << 5) | digit;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((value >>> bits) & 0xff);
    }
  }
  return Buffer.from(out);
}

/** isTotpSecret tells whether text is a base32 secret long enough to use. */
export function isTotpSecret(text: string): boolean {
  const bytes = decodeBase32(text);
  return bytes !== undefined && bytes.length >= MIN_SECRET_BYTES;
}

/**
 * totpCode returns the six-digit code for secret (raw bytes) at a time in
 * Unix milliseconds: RFC 4226's HOTP over the 30-second step count.
 */
export function totpCode(secret: Uint8Array, timeMs: number): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(timeMs / 1000 / STEP_SECONDS)));
  const mac = createHmac('sha1', secret).update(counter).digest();

  // RFC 4226 §5.3 dynamic truncation: the low nibble of the last byte picks
  // four bytes, whose top bit is dropped.
  const offset = mac.readUInt8(mac.length - 1) & 0x0f;
  const number = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(number % 10 ** DIGITS).padStart(DIGITS, '0');
}

/**
 * verifyTotp tells whether code is valid for secret (base32) at timeMs,
 * accepting the step before and after for clock drift (RFC 6238 §5.2).
 * All three steps are compared, each in constant time, so the answer
 * takes as long whichever step matched.
 */
export function verifyTotp(
  secretBase32: string,
  code: string,
  timeMs: number,
): boolean {
  const secret = decodeBase32(secretBase32);
  if (secret === undefined || !CODE.test(code)) return false;

  const given = Buffer.from(code, 'ascii');
  let matched = false;
  for (const step of [-1, 0, 1]) {
    const expected = totpCode(secret, timeMs + step * STEP_SECONDS * 1000);
    const same = timingSafeEqual(Buffer.from(expected, 'ascii'), given);
    matched = matched || same;
  }
  return matched;
}
