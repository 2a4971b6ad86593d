// Reads the token out of an `Authorization: Bearer` header (RFC 6750 §2.1).
import { MetacryptError } from '../errors/index.js';

/** MAX_TOKEN_LENGTH is the longest token accepted from a caller. */
export const MAX_TOKEN_LENGTH = 8192;

// Room for the scheme and the spaces around the token.
const MAX_HEADER_LENGTH = MAX_TOKEN_LENGTH + 32;

// RFC 6750's b64token; the scheme name is case-insensitive (RFC 9110
// §11.1).
const BEARER = /^Bearer +([A-Za-z0-9._~+/-]+=*) *$/i;

/**
 * bearerToken returns the token of an Authorization header, or throws
 * `unauthenticated` when the header is missing, uses another scheme, is
 * malformed or carries a token longer than MAX_TOKEN_LENGTH.
 */
export function bearerToken(authorization: string | undefined): string {
  if (authorization === undefined) throw new MetacryptError('unauthenticated');
  // Bounded before the pattern runs, so a huge header costs nothing.
  if (authorization.length > MAX_HEADER_LENGTH) {
    throw new MetacryptError('unauthenticated');
  }
  const token = BEARER.exec(authorization)?.[1];
  if (token === undefined || token.length > MAX_TOKEN_LENGTH) {
    throw new MetacryptError('unauthenticated');
  }
  return token;
}
