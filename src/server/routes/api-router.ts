// A router for part of the API that remembers where it is mounted, so
// the access log and the metrics can name a route's whole template.
import { Router } from 'express';

import { contextOf } from '../request-context.js';

/**
 * apiRouter returns a Router whose first layer records its mount path in
 * the request context. Express restores `req.baseUrl` when a request
 * leaves a router with an error, so it cannot be read when the reply is
 * sent; the last router a request entered is the one whose route took it.
 */
export function apiRouter(): Router {
  const router = Router();
  router.use((req, _res, next) => {
    contextOf(req).routeBase = req.baseUrl;
    next();
  });
  return router;
}
