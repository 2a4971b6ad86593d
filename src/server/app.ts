// The Express application: middleware in order, the API under /v1, and
// JSON errors for everything else. Building it listens on nothing.
import express from 'express';
import type { Express, RequestHandler } from 'express';
import helmet from 'helmet';

import { accessLog } from './middleware/access-log.js';
import { errorHandler, notFound } from './middleware/error-handler.js';
import { requestId } from './middleware/request-id.js';
import { authRoutes } from './routes/auth-routes.js';
import { engineRoutes } from './routes/engine-routes.js';
import { metricsRoute } from './routes/metrics-route.js';
import { policyRoutes } from './routes/policy-routes.js';
import { sysRoutes } from './routes/sys-routes.js';
import { transitRoutes } from './routes/transit-routes.js';
import { makeGuards } from './server-parts.js';
import type { ServerDeps, ServerParts } from './server-parts.js';

/**
 * createApp builds the server's request handler. The order matters: the
 * request id first so every later line can name it, then the access log
 * (which writes when the reply finishes), security headers, the API, and
 * last the 404 and the error handler.
 */
export function createApp(deps: ServerDeps): Express {
  const parts: ServerParts = { ...deps, guards: makeGuards(deps) };
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.use(requestId());
  app.use(accessLog(deps.logger, deps.metrics));
  app.use(helmet());

  const api = express.Router();
  api.use(noStore());
  api.use(sysRoutes(parts));
  api.use('/auth', authRoutes(parts));
  api.use('/engine', engineRoutes(parts));
  api.use('/policy', policyRoutes(parts));
  api.use('/transit', transitRoutes(parts));
  api.use(metricsRoute(parts));
  app.use('/v1', api);

  app.use(notFound());
  app.use(errorHandler(deps.logger));
  return app;
}

// API replies may carry ciphertext, tokens or plaintext a client asked
// for: no cache along the way may keep them.
function noStore(): RequestHandler {
  return (_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  };
}
