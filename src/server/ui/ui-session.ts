// Web UI sessions: the MCIAS token in a signed cookie bound to the seal
// epoch, opened on each request, started at login and ended at logout,
// at a seal, or when MCIAS stops accepting the token.
import type { Request, RequestHandler, Response } from 'express';

import { MetacryptError } from '../../errors/index.js';
import { contextOf } from '../request-context.js';
import {
  clearCookie,
  CSRF_COOKIE,
  SESSION_COOKIE,
  setCookie,
} from './cookies.js';
import { uiContextOf } from './ui-context.js';
import type { UiSession } from './ui-context.js';
import type { UiKit } from './ui-kit.js';
import { redirect } from './ui-render.js';

// Browsers keep cookies of up to 4096 bytes, name and attributes
// included; a longer value would be dropped without a word.
const MAX_COOKIE_VALUE = 3800;

/**
 * loadSession opens the session cookie, if the browser sent one. A
 * cookie this process did not sign is dropped. One from another seal
 * epoch (before a seal, even if the vault was unsealed since) is dropped
 * and its token ended at MCIAS, since the session it belonged to is
 * over. Otherwise the token is authenticated (through the cache), and a
 * token MCIAS no longer accepts drops the cookie too.
 */
export function loadSession(kit: UiKit): RequestHandler {
  return async (req, res, next) => {
    const context = uiContextOf(req);
    const sent = context.sentSession;
    const ticket = sent === undefined ? undefined : kit.sessions.open(sent);
    if (ticket === undefined) {
      if (sent !== undefined) dropSession(req, res);
      next();
      return;
    }
    if (ticket.epoch !== kit.epoch.current) {
      dropSession(req, res);
      await revoke(kit, ticket.token);
      next();
      return;
    }
    if (kit.worker.state !== 'unsealed') {
      next();
      return;
    }

    try {
      const identity = await kit.auth.authenticate(ticket.token);
      context.session = { token: ticket.token, identity };
      contextOf(req).identity = identity;
    } catch (err) {
      if (!(err instanceof MetacryptError && err.code === 'unauthenticated')) {
        throw err;
      }
      dropSession(req, res);
    }
    next();
  };
}

/**
 * homeOf is where the vault's state sends a visitor: init before init,
 * unseal while sealed, login without a session, else the dashboard.
 */
export function homeOf(kit: UiKit, req: Request): string {
  const { state } = kit.worker;
  if (state === 'uninitialized') return '/init';
  if (state !== 'unsealed') return '/unseal';
  return uiContextOf(req).session === undefined ? '/login' : '/dashboard';
}

/**
 * requireSession sends a request without a session where the state
 * says (after loadSession), so every page and action behind it has one.
 */
export function requireSession(kit: UiKit): RequestHandler {
  return (req, res, next) => {
    const home = homeOf(kit, req);
    if (home !== '/dashboard') {
      redirect(req, res, home);
      return;
    }
    next();
  };
}

/**
 * onlyAt lets through a request for a page the state leads to (the
 * unseal page while sealed, say) and sends any other where it belongs,
 * so a stale tab cannot post an init to an initialized vault.
 */
export function onlyAt(kit: UiKit, path: string): RequestHandler {
  return (req, res, next) => {
    const home = homeOf(kit, req);
    if (home !== path) {
      redirect(req, res, home);
      return;
    }
    next();
  };
}

/** requireAdmin refuses a session without the admin role, 403. */
export function requireAdmin(kit: UiKit): RequestHandler {
  return (req, _res, next) => {
    const { identity } = sessionOf(req);
    if (!identity.isAdmin) {
      kit.logger.warn('admin operation refused', {
        request_id: contextOf(req).requestId,
        user: identity.username,
        route: req.path.slice(0, 200),
      });
      throw new MetacryptError('forbidden');
    }
    next();
  };
}

/** sessionOf returns req's session; the route must require one. */
export function sessionOf(req: Request): UiSession {
  const { session } = uiContextOf(req);
  if (session === undefined) throw new MetacryptError('unauthenticated');
  return session;
}

/**
 * startSession sets the session cookie for token, bound to epoch (read
 * before the login began, so a seal during it ends the session at once).
 * A token too long for a cookie is ended at MCIAS and refused.
 */
export async function startSession(
  kit: UiKit,
  req: Request,
  res: Response,
  token: string,
  epoch: number,
): Promise<void> {
  const value = kit.sessions.seal({ token, epoch });
  if (value.length > MAX_COOKIE_VALUE) {
    await revoke(kit, token);
    throw new MetacryptError(
      'bad_request',
      'login: the token is too long to keep in a browser cookie',
    );
  }
  setCookie(res, SESSION_COOKIE, value);
  const context = uiContextOf(req);
  context.nextSession = value;
  context.csrfToken = undefined;
}

/**
 * endSession ends the browser's session: its token is ended at MCIAS
 * (when the cookie is one this process signed) and both cookies are
 * cleared.
 */
export async function endSession(
  kit: UiKit,
  req: Request,
  res: Response,
): Promise<void> {
  const context = uiContextOf(req);
  const sent = context.sentSession;
  const token =
    context.session?.token ??
    (sent === undefined ? undefined : kit.sessions.open(sent)?.token);
  dropSession(req, res);
  clearCookie(res, CSRF_COOKIE);
  if (token !== undefined) await revoke(kit, token);
}

function dropSession(req: Request, res: Response): void {
  const context = uiContextOf(req);
  clearCookie(res, SESSION_COOKIE);
  context.nextSession = undefined;
  context.session = undefined;
  context.csrfToken = undefined;
}

// Logout already logs an MCIAS that cannot be told; anything else it
// throws is logged here, since the session is over either way.
async function revoke(kit: UiKit, token: string): Promise<void> {
  try {
    await kit.auth.logout(token);
  } catch (err) {
    kit.logger.warn('session token not ended', {
      code: err instanceof MetacryptError ? err.code : 'internal',
    });
  }
}
