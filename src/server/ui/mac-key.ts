// A per-process HMAC key for the web UI's signed cookies. It lives only
// in memory, so a restart (which seals the vault) ends every session.
import { createHmac } from 'node:crypto';

// The crypto helpers by file, not the module's index, which would load
// the AEAD and the KDF: key code the main thread must not reach.
import { randomBytes } from '../../crypto/random.js';
import { constantTimeEqual } from '../../crypto/zeroize.js';

/** MAC_LENGTH is the length in bytes of a tag (HMAC-SHA256). */
export const MAC_LENGTH = 32;

/**
 * fromBase64url decodes text, or returns undefined unless text is the
 * one canonical base64url spelling of its bytes. Node's decoder ignores
 * the spare low bits of the last character, so without this check four
 * spellings of a tag would all pass.
 */
export function fromBase64url(text: string): Buffer | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64url');
  return bytes.toString('base64url') === text ? bytes : undefined;
}

/**
 * MacKey signs short lists of strings under a random key. The label
 * keeps a tag made for one purpose (a session cookie) from passing as
 * one made for another (a CSRF token).
 */
export class MacKey {
  readonly #key: Buffer = randomBytes(32);

  /** tag is the HMAC-SHA256 of label and parts. */
  tag(label: string, ...parts: readonly string[]): Buffer {
    // JSON framing, so ["a.b", "c"] and ["a", "b.c"] never sign alike.
    const input = JSON.stringify([label, ...parts]);
    return createHmac('sha256', this.#key).update(input, 'utf8').digest();
  }

  /** verify tells, in constant time, whether tag signs label and parts. */
  verify(tag: Uint8Array, label: string, ...parts: readonly string[]): boolean {
    return constantTimeEqual(this.tag(label, ...parts), tag);
  }
}
