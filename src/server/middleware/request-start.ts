// What every request gets first, in one middleware layer: its id and
// context, the headers every reply carries, and the access log line and
// metric sample written when the reply has gone.
import type { RequestHandler } from 'express';

import type { Logger } from '../../log/index.js';
import type { Metrics } from '../metrics.js';
import { attachContext } from '../request-context.js';
import type { RequestContext } from '../request-context.js';
import { logRequest } from './access-log.js';
import { requestIdOf } from './request-id.js';

/**
 * requestStart begins each request. Replies are never cached: API
 * replies may hold plaintext or tokens a client asked for, and pages
 * hold form tokens.
 */
export function requestStart(logger: Logger, metrics: Metrics): RequestHandler {
  return (req, res, next) => {
    const context: RequestContext = {
      requestId: requestIdOf(req.headers['x-request-id']),
      startedAt: process.hrtime.bigint(),
    };
    attachContext(req, context);
    res.setHeader('X-Request-Id', context.requestId);
    res.setHeader('Cache-Control', 'no-store');
    res.on('finish', () => {
      logRequest(logger, metrics, req, res, context);
    });
    next();
  };
}
