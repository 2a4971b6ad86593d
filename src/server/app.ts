// The Express application: middleware in order, the API under /v1, the
// web UI, and JSON errors for everything else. Building it listens on
// nothing.
import express from 'express';
import type { Express, RequestHandler } from 'express';
import helmet from 'helmet';

import { MetacryptError } from '../errors/index.js';
import { errorHandler, notFound } from './middleware/error-handler.js';
import { requestStart } from './middleware/request-start.js';
import { authRoutes } from './routes/auth-routes.js';
import { engineRoutes } from './routes/engine-routes.js';
import { metricsRoute } from './routes/metrics-route.js';
import { policyRoutes } from './routes/policy-routes.js';
import { sysRoutes } from './routes/sys-routes.js';
import { transitRoutes } from './routes/transit-routes.js';
import { makeGuards } from './server-parts.js';
import type { ServerDeps, ServerParts } from './server-parts.js';
import { uiRouter } from './ui/ui-router.js';

/**
 * createApp builds the server's request handler. The order matters: the
 * request's start first (its id, so every later line can name it, and
 * the access log written when the reply finishes), security headers, the
 * API, the web UI, and last the 404 and the error handler.
 */
export function createApp(deps: ServerDeps): Express {
  const parts: ServerParts = { ...deps, guards: makeGuards(deps) };
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.use(requestStart(deps.logger, deps.metrics));
  app.use(helmet());
  app.use(refuseOptions());

  // The busiest routes come first, each mounted straight on the app:
  // Express tries every layer of each router a request passes through,
  // and the engine routes carry the traffic.
  app.use('/v1/transit', transitRoutes(parts));
  app.use('/v1/engine', engineRoutes(parts));
  const api = express.Router();
  api.use('/auth', authRoutes(parts));
  api.use('/policy', policyRoutes(parts));
  api.use(metricsRoute(parts));
  api.use(sysRoutes(parts));
  app.use('/v1', api);
  app.use(uiRouter(parts));

  app.use(notFound());
  app.use(errorHandler(deps.logger));
  return app;
}

// Express answers OPTIONS itself for any path that has routes, with a 200
// listing their methods. Nothing here serves OPTIONS (the API takes no
// cross-origin calls), so it is a method no path takes: 404 like others.
function refuseOptions(): RequestHandler {
  return (req, _res, next) => {
    if (req.method === 'OPTIONS') throw new MetacryptError('not_found');
    next();
  };
}
