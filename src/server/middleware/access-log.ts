// One log line and one metric sample per answered request. Neither carries
// a query string, a header or a body: those are where secrets travel.
import type { Request, Response } from 'express';

import type { Logger } from '../../log/index.js';
import type { Metrics } from '../metrics.js';
import type { RequestContext } from '../request-context.js';

const MAX_PATH = 200;

/** logRequest logs and measures a request whose reply was sent. */
export function logRequest(
  logger: Logger,
  metrics: Metrics,
  req: Request,
  res: Response,
  context: RequestContext,
): void {
  const seconds = Number(process.hrtime.bigint() - context.startedAt) / 1e9;
  const route = routeOf(req, context.routeBase);
  metrics.request(req.method, route, res.statusCode, seconds);
  logger.info('request', {
    request_id: context.requestId,
    method: req.method,
    route,
    path: (req.originalUrl.split('?')[0] ?? '').slice(0, MAX_PATH),
    status: res.statusCode,
    duration_ms: Math.round(seconds * 1e6) / 1e3,
    remote_addr: req.ip,
    user: context.identity?.username,
  });
}

// The route template (`/v1/policy/rule/:id`), so metrics are labelled by
// what was called rather than by every id a client sent.
function routeOf(req: Request, base: string | undefined): string {
  const path = (req.route as { path?: unknown } | undefined)?.path;
  return typeof path === 'string' ? (base ?? '') + path : 'unmatched';
}
