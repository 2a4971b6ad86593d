// The dev identity server's tokens: a JSON payload signed with an Ed25519
// key made at start, checked on validate, and revoked by logout.
import { generateKeyPairSync, randomUUID, sign, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';

import { z } from 'zod';

/** DEV_ISSUER is the `iss` of every token the dev server issues. */
export const DEV_ISSUER = 'metacrypt-dev-identity';

// Far above any token this issuer makes (a few hundred characters), so
// a huge string is refused before any decoding or signature work.
const MAX_TOKEN_LENGTH = 4096;
const SEGMENT = /^[A-Za-z0-9_-]+$/;
const SIGNATURE_BYTES = 64;

/** TokenClaims are the payload of a token. Times are Unix seconds. */
export interface TokenClaims {
  readonly iss: string;
  readonly sub: string;
  readonly username: string;
  readonly roles: readonly string[];
  readonly iat: number;
  readonly exp: number;
  readonly jti: string;
}

/** TokenSubject is who a token is issued to. */
export interface TokenSubject {
  readonly sub: string;
  readonly username: string;
  readonly roles: readonly string[];
}

/** IssuedToken is a new token and what it says. */
export interface IssuedToken {
  readonly token: string;
  readonly claims: TokenClaims;
}

/** TokenIssuerOptions configure a TokenIssuer. */
export interface TokenIssuerOptions {
  readonly ttlSeconds: number;
  /** The clock, in Unix milliseconds; tests pass their own. */
  readonly now?: () => number;
}

const CLAIMS = z.strictObject({
  iss: z.string(),
  sub: z.string(),
  username: z.string(),
  roles: z.array(z.string()),
  iat: z.int(),
  exp: z.int(),
  jti: z.string(),
});

/**
 * TokenIssuer makes tokens of the form `base64url(payload) "."
 * base64url(signature)`, the signature being Ed25519 over the first
 * segment's text, and checks them: signature, issuer, expiry and the
 * revocation list. Its key pair lives only as long as the issuer, so a
 * restart invalidates every token, which suits a development server.
 */
export class TokenIssuer {
  readonly #privateKey: KeyObject;
  readonly #publicKey: KeyObject;
  readonly #ttlSeconds: number;
  readonly #now: () => number;
  // Revoked token ids and their expiry (Unix seconds), kept only until the
  // token would have expired anyway.
  readonly #revoked = new Map<string, number>();

  constructor(options: TokenIssuerOptions) {
    const pair = generateKeyPairSync('ed25519');
    this.#privateKey = pair.privateKey;
    this.#publicKey = pair.publicKey;
    this.#ttlSeconds = options.ttlSeconds;
    this.#now = options.now ?? Date.now;
  }

  /** issue signs a new token for subject, valid for the configured TTL. */
  issue(subject: TokenSubject): IssuedToken {
    const iat = Math.floor(this.#now() / 1000);
    const claims: TokenClaims = {
      iss: DEV_ISSUER,
      sub: subject.sub,
      username: subject.username,
      roles: [...subject.roles],
      iat,
      exp: iat + this.#ttlSeconds,
      jti: randomUUID(),
    };
    const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
    const signature = sign(null, Buffer.from(payload), this.#privateKey);
    return { token: `${payload}.${signature.toString('base64url')}`, claims };
  }

  /**
   * verify returns the claims of a token this issuer signed that has not
   * expired or been revoked, and null for anything else.
   */
  verify(token: string): TokenClaims | null {
    // Step 1: the shape, before any work on it.
    if (token.length > MAX_TOKEN_LENGTH) return null;
    const [payload, signature, extra] = token.split('.');
    if (payload === undefined || signature === undefined) return null;
    if (extra !== undefined) return null;
    if (!isCanonicalBase64url(payload) || !isCanonicalBase64url(signature)) {
      return null;
    }

    // Step 2: the signature, over the payload exactly as sent.
    const signatureBytes = Buffer.from(signature, 'base64url');
    if (signatureBytes.length !== SIGNATURE_BYTES) return null;
    const data = Buffer.from(payload);
    if (!verify(null, data, this.#publicKey, signatureBytes)) return null;

    // Step 3: what it says.
    const claims = parseClaims(Buffer.from(payload, 'base64url'));
    if (claims?.iss !== DEV_ISSUER) return null;
    if (claims.exp * 1000 <= this.#now()) return null;
    if (this.#revoked.has(claims.jti)) return null;
    return claims;
  }

  /** revoke makes a token's id invalid for the rest of its life. */
  revoke(claims: TokenClaims): void {
    const nowSeconds = this.#now() / 1000;
    for (const [jti, exp] of this.#revoked) {
      if (exp <= nowSeconds) this.#revoked.delete(jti);
    }
    this.#revoked.set(claims.jti, claims.exp);
  }
}

// Buffer's base64url decoder skips characters it does not know and
// ignores stray trailing bits; insisting on the one canonical spelling
// means each token has exactly one string form.
function isCanonicalBase64url(segment: string): boolean {
  return (
    SEGMENT.test(segment) &&
    Buffer.from(segment, 'base64url').toString('base64url') === segment
  );
}

function parseClaims(json: Buffer): TokenClaims | null {
  try {
    const result = CLAIMS.safeParse(JSON.parse(json.toString('utf8')));
    return result.success ? result.data : null;
  } catch {
    return null;
  }
}
