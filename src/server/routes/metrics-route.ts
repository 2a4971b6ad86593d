// GET /v1/metrics: Prometheus text for admins, or for anyone when the
// configuration makes it public. It needs no key, so it answers sealed.
import type { RequestHandler, Router } from 'express';

import { requireAdmin } from '../middleware/guards.js';
import type { ServerParts } from '../server-parts.js';
import { apiRouter } from './api-router.js';

/** metricsRoute serves /v1/metrics. */
export function metricsRoute(parts: ServerParts): Router {
  const { config, auth, logger, metrics } = parts;
  const router = apiRouter();
  const guards: RequestHandler[] = config.server.metrics_public
    ? []
    : [requireAdmin(auth, logger)];

  router.get('/metrics', ...guards, async (_req, res) => {
    const { body, contentType } = await metrics.render();
    res.type(contentType).send(body);
  });

  return router;
}
