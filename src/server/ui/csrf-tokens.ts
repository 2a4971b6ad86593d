// CSRF tokens for the web UI's forms, as a signed double submit: the same
// random value in a cookie and in the form, with an HMAC that binds it to
// the session cookie the browser holds.
import { createHash } from 'node:crypto';

// The crypto helpers by file, not the module's index, which would load
// the AEAD and the KDF: key code the main thread must not reach.
import { randomBytes } from '../../crypto/random.js';
import { constantTimeEqual } from '../../crypto/zeroize.js';
import { fromBase64url, MAC_LENGTH } from './mac-key.js';
import type { MacKey } from './mac-key.js';

// Layout: `<32 random bytes, base64url>.<HMAC-SHA256, base64url>`, the
// tag over the random value and the session binding.
const LABEL = 'metacrypt csrf';
const RANDOM_LENGTH = 32;
const TOKEN = /^([A-Za-z0-9_-]{43})\.([A-Za-z0-9_-]{43})$/;

/**
 * sessionBinding names the session a token belongs to: a digest of the
 * session cookie, or the empty string before login. A token made before a
 * login, a logout or a new session is refused after it.
 */
export function sessionBinding(sessionCookie: string | undefined): string {
  if (sessionCookie === undefined) return '';
  return createHash('sha256').update(sessionCookie).digest('base64url');
}

/** CsrfTokens issues and checks CSRF tokens under one key. */
export class CsrfTokens {
  readonly #key: MacKey;

  constructor(key: MacKey) {
    this.#key = key;
  }

  /** issue makes a new token for the session named by binding. */
  issue(binding: string): string {
    const random = randomBytes(RANDOM_LENGTH).toString('base64url');
    const tag = this.#key.tag(LABEL, binding, random);
    return `${random}.${tag.toString('base64url')}`;
  }

  /** isValid tells whether token was issued here for binding. */
  isValid(token: string, binding: string): boolean {
    const match = TOKEN.exec(token);
    if (match === null) return false;
    const [, random = '', tag = ''] = match;
    if (fromBase64url(random) === undefined) return false;
    const tagBytes = fromBase64url(tag);
    if (tagBytes?.length !== MAC_LENGTH) return false;
    return this.#key.verify(tagBytes, LABEL, binding, random);
  }

  /**
   * check passes a request whose cookie and submitted token are the same
   * (compared in constant time) and were issued for binding. A page on
   * another site can make the browser send the cookie but cannot read it,
   * so it cannot send the matching value; the HMAC stops a value planted
   * in the cookie from passing, and the binding stops one stolen from
   * another session.
   */
  check(
    cookie: string | undefined,
    submitted: string | undefined,
    binding: string,
  ): boolean {
    if (cookie === undefined || submitted === undefined) return false;
    const same = constantTimeEqual(
      Buffer.from(cookie, 'utf8'),
      Buffer.from(submitted, 'utf8'),
    );
    return same && this.isValid(cookie, binding);
  }
}
