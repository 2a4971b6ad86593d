// Guards in front of routes: the vault must be unsealed, the caller must
// hold a valid MCIAS token, the caller must be an admin.
import type { Request, RequestHandler } from 'express';

import { bearerToken } from '../../auth/index.js';
import type { Authenticator, Identity } from '../../auth/index.js';
import { MetacryptError } from '../../errors/index.js';
import type { SealState } from '../../keyworker/index.js';
import type { Logger } from '../../log/index.js';
import { contextOf } from '../request-context.js';

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
    checkUnsealed(seal);
    next();
  };
}

/**
 * requireUser authenticates the bearer token with MCIAS (or the cache).
 * Given a seal view, it applies the seal gate first, in the same layer:
 * the guards run on every request, and each layer costs.
 */
export function requireUser(
  auth: Pick<Authenticator, 'authenticate'>,
  seal?: SealView,
): RequestHandler {
  return async (req, _res, next) => {
    if (seal !== undefined) checkUnsealed(seal);
    await authenticate(auth, req);
    next();
  };
}

/**
 * requireAdmin authenticates the caller and refuses one without the
 * MCIAS admin role; given a seal view, it applies the seal gate first.
 */
export function requireAdmin(
  auth: Pick<Authenticator, 'authenticate'>,
  logger: Logger,
  seal?: SealView,
): RequestHandler {
  return async (req, _res, next) => {
    if (seal !== undefined) checkUnsealed(seal);
    const identity = await authenticate(auth, req);
    if (!identity.isAdmin) {
      logger.warn('admin operation refused', {
        request_id: contextOf(req).requestId,
        user: identity.username,
        route: req.path.slice(0, 200),
      });
      throw new MetacryptError('forbidden');
    }
    next();
  };
}

function checkUnsealed(seal: SealView): void {
  if (seal.state === 'unsealed') return;
  throw new MetacryptError(
    seal.state === 'uninitialized' ? 'not_initialized' : 'sealed',
  );
}

async function authenticate(
  auth: Pick<Authenticator, 'authenticate'>,
  req: Request,
): Promise<Identity> {
  const token = bearerToken(authorizationOf(req));
  const identity = await auth.authenticate(token);
  const context = contextOf(req);
  context.identity = identity;
  context.token = token;
  return identity;
}

// Authorization is not a list field (RFC 9110 §11.6.2), so a request
// with two of them is malformed. Node keeps the first and drops the
// other, while a proxy in front may have checked the last: such a
// request is refused rather than guessed at.
function authorizationOf(req: Request): string | undefined {
  const lines = req.headersDistinct.authorization ?? [];
  if (lines.length > 1) throw new MetacryptError('unauthenticated');
  return lines[0];
}
