// Typed transit routes beside the generic engine request:
// POST /v1/transit/<mount>/<operation>/<key> (and /<operation> for the
// operations without a key), through the same validation and policy.
import type { Request, Router } from 'express';

import { isJsonObject } from '../../engine/json.js';
import type { JsonObject } from '../../engine/json.js';
import { MetacryptError } from '../../errors/index.js';
import { identityOf } from '../request-context.js';
import { sendJson } from '../send-json.js';
import type { ServerParts } from '../server-parts.js';
import { apiRouter } from './api-router.js';

/** transitRoutes serves /v1/transit/*. */
export function transitRoutes(parts: ServerParts): Router {
  const { engines, guards } = parts;
  const router = apiRouter();

  const run = async (req: Request, key?: string): Promise<unknown> => {
    // No body reads as `{}`; a body of `null` is refused below.
    const body: unknown = req.body === undefined ? {} : req.body;
    if (!isJsonObject(body)) {
      throw new MetacryptError('bad_request', 'body: must be a JSON object');
    }
    return engines.request(identityOf(req), {
      mount: param(req, 'mount'),
      operation: param(req, 'operation'),
      data: key === undefined ? body : withKey(body, key),
      type: 'transit',
    });
  };

  router.post(
    '/:mount/:operation/:key',
    ...guards.user,
    ...guards.json,
    async (req, res) => {
      sendJson(res, await run(req, param(req, 'key')));
    },
  );

  router.post(
    '/:mount/:operation',
    ...guards.user,
    ...guards.json,
    async (req, res) => {
      sendJson(res, await run(req));
    },
  );

  return router;
}

// The key named in the path is the one used; a body naming another is
// refused rather than silently overridden.
function withKey(body: JsonObject, key: string): JsonObject {
  if (body.name !== undefined && body.name !== key) {
    throw new MetacryptError(
      'bad_request',
      'name: the key is named in the path; leave it out of the body',
    );
  }
  return { ...body, name: key };
}

function param(req: Request, name: string): string {
  const value: unknown = req.params[name];
  return typeof value === 'string' ? value : '';
}
