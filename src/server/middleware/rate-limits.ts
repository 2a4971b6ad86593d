// Per-address rate limits for the endpoints that take a password: login,
// init and unseal. The unseal lockout in the key worker is the real guard
// on the seal password; this keeps one client from flooding either.
import type { RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import type { AugmentedRequest } from 'express-rate-limit';

import { MetacryptError } from '../../errors/index.js';
import type { Logger } from '../../log/index.js';

/** RateLimitOptions size one limiter. */
export interface RateLimitOptions {
  /** Requests each client address may make per window. */
  readonly limit: number;
  readonly windowMs?: number;
  /** Named in the warning logged when a client goes over. */
  readonly name: string;
  readonly logger: Logger;
}

/** addressRateLimit limits requests per client address. */
export function addressRateLimit(options: RateLimitOptions): RequestHandler {
  const windowMs = options.windowMs ?? 60_000;
  return rateLimit({
    windowMs,
    limit: options.limit,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    handler: (req, _res, next) => {
      const { rateLimit: info } = req as AugmentedRequest;
      const resetTime = info?.resetTime?.getTime();
      const seconds =
        resetTime === undefined
          ? Math.ceil(windowMs / 1000)
          : Math.max(1, Math.ceil((resetTime - Date.now()) / 1000));
      options.logger.warn('rate limit reached', {
        limit: options.name,
        remote_addr: req.ip,
      });
      next(
        new MetacryptError(
          'rate_limited',
          `too many attempts: try again in ${String(seconds)} seconds`,
          { retryAfterSeconds: seconds },
        ),
      );
    },
  });
}
