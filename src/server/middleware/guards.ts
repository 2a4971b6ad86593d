// Guards in front of routes: the vault must be unsealed, the caller must
// hold a valid MCIAS token, the caller must be an admin.
import type { RequestHandler } from 'express';

import { bearerToken } from '../../auth/index.js';
import type { Authenticator } from '../../auth/index.js';
import { MetacryptError } from '../../errors/index.js';
import type { SealState } from '../../keyworker/index.js';
import type { Logger } from '../../log/index.js';
import { contextOf, identityOf } from '../request-context.js';

/** SealView is what the gate needs of the key worker client. */
export interface SealView {
  readonly state: SealState;
}

/**
 * requireUnsealed answers 412 `not initialized` before init and 503
 * `sealed` while sealed, before any other work, so a request that needs
 * keys is refused without asking MCIAS or the worker. The worker refuses
 * on its own too; this only answers sooner.
 */
export function requireUnsealed(seal: SealView): RequestHandler {
  return (_req, _res, next) => {
    if (seal.state === 'unsealed') {
      next();
      return;
    }
    throw new MetacryptError(
      seal.state === 'uninitialized' ? 'not_initialized' : 'sealed',
    );
  };
}

/** requireUser authenticates the bearer token with MCIAS (or the cache). */
export function requireUser(
  auth: Pick<Authenticator, 'authenticate'>,
): RequestHandler {
  return async (req, _res, next) => {
    const token = bearerToken(req.get('authorization'));
    const identity = await auth.authenticate(token);
    const context = contextOf(req);
    context.identity = identity;
    context.token = token;
    next();
  };
}

/** requireAdmin refuses callers without the MCIAS admin role. */
export function requireAdmin(logger: Logger): RequestHandler {
  return (req, _res, next) => {
    const identity = identityOf(req);
    if (identity.isAdmin) {
      next();
      return;
    }
    logger.warn('admin operation refused', {
      request_id: contextOf(req).requestId,
      user: identity.username,
      route: req.path.slice(0, 200),
    });
    throw new MetacryptError('forbidden');
  };
}
