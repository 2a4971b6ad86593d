// Puts the CSRF token into the UI's pages and checks it on every form
// post, before the post is looked at any further.
import type { Request, RequestHandler, Response } from 'express';

import { MetacryptError } from '../../errors/index.js';
import { contextOf } from '../request-context.js';
import { CSRF_COOKIE, readCookie, setCookie } from './cookies.js';
import { sessionBinding } from './csrf-tokens.js';
import { field } from './form-body.js';
import { uiContextOf } from './ui-context.js';
import type { UiKit } from './ui-kit.js';

/** CSRF_FIELD is the hidden form field that carries the token. */
export const CSRF_FIELD = '_csrf';

/** CSRF_HEADER carries the token instead, for requests without a form. */
export const CSRF_HEADER = 'x-csrf-token';

/**
 * csrfTokenFor returns the token this reply's forms carry, made for the
 * session cookie the browser will hold after it. A valid cookie is kept,
 * so several open tabs keep working; otherwise a new token is made and
 * set in the cookie.
 */
export function csrfTokenFor(kit: UiKit, req: Request, res: Response): string {
  const context = uiContextOf(req);
  if (context.csrfToken !== undefined) return context.csrfToken;

  const binding = sessionBinding(context.nextSession);
  const sent = readCookie(req.headers.cookie, CSRF_COOKIE);
  let token = sent;
  if (token === undefined || !kit.csrf.isValid(token, binding)) {
    token = kit.csrf.issue(binding);
    setCookie(res, CSRF_COOKIE, token);
  }
  context.csrfToken = token;
  return token;
}

/**
 * checkCsrf refuses with 403 `csrf_failed` a post whose token (the form
 * field, or the header) is not the cookie's, or was not made for the
 * session cookie the browser sent. It runs after the body is parsed and
 * before anything else reads it.
 */
export function checkCsrf(kit: UiKit): RequestHandler {
  return (req, _res, next) => {
    const cookie = readCookie(req.headers.cookie, CSRF_COOKIE);
    const submitted = req.get(CSRF_HEADER) ?? field(req, CSRF_FIELD);
    const binding = sessionBinding(uiContextOf(req).sentSession);
    if (!kit.csrf.check(cookie, submitted || undefined, binding)) {
      kit.logger.warn('csrf check failed', {
        request_id: contextOf(req).requestId,
        route: req.path.slice(0, 200),
        remote_addr: req.ip,
      });
      throw new MetacryptError('csrf_failed');
    }
    next();
  };
}
