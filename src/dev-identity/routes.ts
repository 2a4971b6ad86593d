// The four MCIAS calls (DESIGN.md §6) as the dev identity server answers
// them, and the route table that sends each request to one.
import type { IncomingMessage, ServerResponse } from 'node:http';

import { z } from 'zod';

import type { Logger } from '../log/index.js';
import type { Accounts, LoginAttempt } from './accounts.js';
import { describeIssue } from './describe-issue.js';
import { readJsonBody, sendEmpty, sendJson } from './http-io.js';
import type { TokenClaims, TokenIssuer } from './token-issuer.js';

/** RouteContext is what the handlers work with. */
export interface RouteContext {
  readonly accounts: Accounts;
  readonly issuer: TokenIssuer;
  readonly logger: Logger;
}

type Handler = (
  req: IncomingMessage,
  res: ServerResponse,
  context: RouteContext,
) => Promise<void>;

interface Route {
  readonly method: 'GET' | 'POST';
  readonly handler: Handler;
}

// Unknown fields are ignored, as a newer client may send more than this
// server knows about.
const LOGIN_REQUEST = z.object({
  username: z.string(),
  password: z.string(),
  totp_code: z.string().optional(),
  service_name: z.string().optional(),
  tags: z.array(z.string()).optional(),
});

const VALIDATE_REQUEST = z.object({ token: z.string() });

const BEARER = /^Bearer +([A-Za-z0-9._~+/-]+=*) *$/i;

/**
 * handleRequest answers one request: 404 for an unknown path, 405 (with
 * Allow) for a known path with the wrong method, otherwise the call.
 */
export async function handleRequest(
  req: IncomingMessage,
  res: ServerResponse,
  context: RouteContext,
): Promise<void> {
  const route = ROUTES.get(pathOf(req));
  if (route === undefined) {
    sendJson(res, 404, { error: 'not found' });
    return;
  }
  if (req.method !== route.method) {
    sendJson(
      res,
      405,
      { error: 'method not allowed' },
      { allow: route.method },
    );
    return;
  }
  await route.handler(req, res, context);
}

/** pathOf returns a request's path without its query. */
export function pathOf(req: IncomingMessage): string {
  const target = req.url ?? '/';
  const query = target.indexOf('?');
  return query < 0 ? target : target.slice(0, query);
}

async function login(
  req: IncomingMessage,
  res: ServerResponse,
  { accounts, issuer, logger }: RouteContext,
): Promise<void> {
  // Step 1: the request.
  const body = await readRequest(req, res, LOGIN_REQUEST);
  if (body === undefined) return;
  const attempt: LoginAttempt = {
    username: body.username,
    password: body.password,
    ...(body.totp_code === undefined ? {} : { totpCode: body.totp_code }),
    ...(body.service_name === undefined
      ? {}
      : { serviceName: body.service_name }),
  };

  // Step 2: the check. An unknown username is not logged: it is often a
  // password typed into the wrong field.
  const outcome = await accounts.check(attempt);
  if (outcome.kind === 'invalid') {
    logger.warn('login refused', {
      ...(outcome.reason === 'unknown user' ? {} : { username: body.username }),
      reason: outcome.reason,
    });
    sendJson(res, 401, { error: 'invalid credentials' });
    return;
  }
  if (outcome.kind === 'denied') {
    logger.warn('login denied', {
      username: outcome.user.username,
      reason: outcome.reason,
      service_name: body.service_name,
    });
    sendJson(res, 403, { error: 'login denied' });
    return;
  }

  // Step 3: the token.
  const { token, claims } = issuer.issue(outcome.user);
  logger.info('login', {
    username: claims.username,
    service_name: body.service_name,
    tags: body.tags,
  });
  sendJson(res, 200, { token, expires_at: rfc3339(claims.exp) });
}

async function validate(
  req: IncomingMessage,
  res: ServerResponse,
  { issuer, logger }: RouteContext,
): Promise<void> {
  const body = await readRequest(req, res, VALIDATE_REQUEST);
  if (body === undefined) return;
  const claims = issuer.verify(body.token);
  logger.debug('token checked', {
    valid: claims !== null,
    ...(claims === null ? {} : { username: claims.username }),
  });
  sendJson(res, 200, claims === null ? { valid: false } : tokenInfo(claims));
}

function logout(
  req: IncomingMessage,
  res: ServerResponse,
  { issuer, logger }: RouteContext,
): Promise<void> {
  const token = BEARER.exec(req.headers.authorization ?? '')?.[1];
  const claims = token === undefined ? null : issuer.verify(token);
  if (claims === null) {
    sendJson(res, 401, { error: 'invalid token' });
    return Promise.resolve();
  }
  issuer.revoke(claims);
  logger.info('logout', { username: claims.username });
  sendEmpty(res, 204);
  return Promise.resolve();
}

function health(_req: IncomingMessage, res: ServerResponse): Promise<void> {
  sendJson(res, 200, { status: 'ok' });
  return Promise.resolve();
}

const ROUTES: ReadonlyMap<string, Route> = new Map([
  ['/v1/auth/login', { method: 'POST', handler: login }],
  ['/v1/token/validate', { method: 'POST', handler: validate }],
  ['/v1/auth/logout', { method: 'POST', handler: logout }],
  ['/v1/health', { method: 'GET', handler: health }],
]);

// Reads and checks a JSON body, answering 400 or 413 itself when it is
// not usable; undefined then tells the handler to stop.
async function readRequest<S extends z.ZodType>(
  req: IncomingMessage,
  res: ServerResponse,
  schema: S,
): Promise<z.output<S> | undefined> {
  const body = await readJsonBody(req);
  if (!body.ok) {
    // The rest of a refused body is not read, so the connection cannot
    // carry another request.
    const headers: Record<string, string> =
      body.status === 413 ? { connection: 'close' } : {};
    sendJson(res, body.status, { error: body.error }, headers);
    return undefined;
  }
  const result = schema.safeParse(body.value);
  if (!result.success) {
    const issue = result.error.issues[0];
    const error =
      issue === undefined ? 'bad request' : describeIssue(issue, body.value);
    sendJson(res, 400, { error });
    return undefined;
  }
  return result.data;
}

function tokenInfo(claims: TokenClaims): Record<string, unknown> {
  return {
    valid: true,
    sub: claims.sub,
    username: claims.username,
    roles: claims.roles,
    expires_at: rfc3339(claims.exp),
  };
}

// Whole seconds, so the fraction toISOString adds says nothing.
function rfc3339(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toISOString().replace('.000Z', 'Z');
}
