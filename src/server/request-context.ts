// What the server learns about a request as it passes the middleware: its
// id, when it started and, once authenticated, who made it.
import type { Request } from 'express';

import type { Identity } from '../auth/index.js';
import { MetacryptError } from '../errors/index.js';

/** RequestContext is the server's own state for one request. */
export interface RequestContext {
  readonly requestId: string;
  readonly startedAt: bigint;
  identity?: Identity;
  /** The bearer token, kept only to log the caller out. */
  token?: string;
  /**
   * The mount path of the router that took the request (`/v1/auth`), so
   * the route template can be named after Express has left the router.
   */
  routeBase?: string;
}

// Keyed by the request object, so a context lives exactly as long as its
// request and nothing else can reach it.
const contexts = new WeakMap<Request, RequestContext>();

/** attachContext starts the context of req. */
export function attachContext(req: Request, context: RequestContext): void {
  contexts.set(req, context);
}

/** contextOf returns the context attached to req. */
export function contextOf(req: Request): RequestContext {
  const context = contexts.get(req);
  if (context === undefined) {
    throw new MetacryptError('internal', 'server: request has no context');
  }
  return context;
}

/** identityOf returns who made req; the route must require a user. */
export function identityOf(req: Request): Identity {
  const identity = contexts.get(req)?.identity;
  if (identity === undefined) throw new MetacryptError('unauthenticated');
  return identity;
}
