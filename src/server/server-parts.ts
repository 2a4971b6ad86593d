// What the server is built from: its dependencies, passed in by whoever
// starts it, and the guards made from them that routes put in front.
import type { RequestHandler } from 'express';

import type { Authenticator } from '../auth/index.js';
import type { Config } from '../config/index.js';
import type { EngineService } from '../engine/engine-service.js';
import type { KeyWorkerClient } from '../keyworker/index.js';
import type { Logger } from '../log/index.js';
import type { PolicyStore } from '../policy/index.js';
import type { Metrics } from './metrics.js';
import {
  requireAdmin,
  requireUnsealed,
  requireUser,
} from './middleware/guards.js';
import { jsonBody } from './middleware/json-body.js';
import { addressRateLimit } from './middleware/rate-limits.js';

/** ServerDeps are the server's dependencies; nothing here listens. */
export interface ServerDeps {
  readonly config: Config;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly worker: KeyWorkerClient;
  readonly auth: Authenticator;
  readonly policy: PolicyStore;
  readonly engines: EngineService;
}

/** Guards are the middleware chains routes start with. */
export interface Guards {
  /** The vault must be unsealed (412 before init, 503 sealed). */
  readonly unsealed: RequestHandler[];
  /** Unsealed, and a valid MCIAS token. */
  readonly user: RequestHandler[];
  /** Unsealed, a valid token, and the admin role. */
  readonly admin: RequestHandler[];
  /** Parse a JSON body within the size and depth limits. */
  readonly json: RequestHandler[];
  readonly loginLimit: RequestHandler;
  readonly initLimit: RequestHandler;
  readonly unsealLimit: RequestHandler;
}

/** ServerParts are the dependencies and the guards, for routes. */
export interface ServerParts extends ServerDeps {
  readonly guards: Guards;
}

/** makeGuards builds the guard chains once for the whole app. */
export function makeGuards(deps: ServerDeps): Guards {
  const { config, logger } = deps;
  const seal = deps.worker;
  const limit = (name: string): RequestHandler =>
    addressRateLimit({ name, limit: config.server.auth_rate_limit, logger });
  return {
    unsealed: [requireUnsealed(seal)],
    user: [requireUser(deps.auth, seal)],
    admin: [requireAdmin(deps.auth, logger, seal)],
    json: jsonBody(config.server.max_request_bytes),
    loginLimit: limit('login'),
    initLimit: limit('init'),
    unsealLimit: limit('unseal'),
  };
}
