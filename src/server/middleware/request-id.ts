// Gives every request an id, taken from X-Request-Id when the client sent
// a sane one, so a log line and a reply can be matched up.
import { randomUUID } from 'node:crypto';

import type { RequestHandler } from 'express';

import { attachContext } from '../request-context.js';

// A client's id is echoed into logs and headers, so only short ids of
// safe characters are kept; anything else is replaced.
const CLIENT_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** requestId attaches the request's context and sets X-Request-Id. */
export function requestId(): RequestHandler {
  return (req, res, next) => {
    const given = req.get('x-request-id');
    const id =
      given !== undefined && CLIENT_ID.test(given) ? given : randomUUID();
    attachContext(req, { requestId: id, startedAt: process.hrtime.bigint() });
    res.setHeader('X-Request-Id', id);
    next();
  };
}
