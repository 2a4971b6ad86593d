// The headers every web UI reply carries on top of helmet's: a Content
// Security Policy stricter than the API's, and framing refused outright.
import type { RequestHandler } from 'express';

/**
 * UI_CONTENT_SECURITY_POLICY lets a page load only the project's own
 * scripts and styles, from this origin: no inline script or style, no
 * eval (htmx is configured not to need either), requests and form posts
 * only back to this origin, and no framing by anyone.
 */
export const UI_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "object-src 'none'",
].join('; ');

/** pageHeaders sets the UI's headers, replacing helmet's defaults. */
export function pageHeaders(): RequestHandler {
  return (_req, res, next) => {
    res.setHeader('Content-Security-Policy', UI_CONTENT_SECURITY_POLICY);
    res.setHeader('X-Frame-Options', 'DENY');
    // A page and the fragment htmx asks for share a URL.
    res.setHeader('Vary', 'HX-Request');
    next();
  };
}
