// The web UI's two cookies: their names, the attributes both always
// carry, and reading one back out of a Cookie header.
import type { CookieOptions, Response } from 'express';

/** SESSION_COOKIE holds the MCIAS token, signed with the seal epoch. */
export const SESSION_COOKIE = '__Host-metacrypt-session';

/** CSRF_COOKIE holds the double-submit CSRF token. */
export const CSRF_COOKIE = '__Host-metacrypt-csrf';

// Both cookies are out of reach of scripts (HttpOnly), travel over HTTPS
// only (Secure) and never with a request another site starts (Strict).
// The __Host- prefix makes the browser insist on Secure, Path=/ and no
// Domain, so a sibling host cannot plant or shadow them (RFC 6265bis
// §4.1.3.2). No Max-Age: they end with the browser session.
const ATTRIBUTES: CookieOptions = {
  httpOnly: true,
  secure: true,
  sameSite: 'strict',
  path: '/',
};

// Cookie headers longer than this are not read: ours are a few hundred
// bytes, and a huge header is not worth splitting.
const MAX_HEADER_LENGTH = 16 * 1024;

/**
 * readCookie returns the value of the first cookie called name, or
 * undefined. Values are taken as sent: ours hold only base64url
 * characters and dots, which need no decoding.
 */
export function readCookie(
  header: string | undefined,
  name: string,
): string | undefined {
  if (header === undefined || header.length > MAX_HEADER_LENGTH) {
    return undefined;
  }
  for (const pair of header.split(';')) {
    const eq = pair.indexOf('=');
    if (eq < 0 || pair.slice(0, eq).trim() !== name) continue;
    const value = pair.slice(eq + 1).trim();
    return value === '' ? undefined : value;
  }
  return undefined;
}

/** setCookie adds a Set-Cookie header for one of our cookies. */
export function setCookie(res: Response, name: string, value: string): void {
  res.cookie(name, value, ATTRIBUTES);
}

/** clearCookie tells the browser to drop one of our cookies. */
export function clearCookie(res: Response, name: string): void {
  res.clearCookie(name, ATTRIBUTES);
}
