// Login, logout and token information: MCIAS behind the server, so clients
// need only Metacrypt's address (DESIGN.md §6, §8).
import type { Router } from 'express';
import { z } from 'zod';

import { parseBody } from '../../errors/index.js';
import { contextOf, identityOf } from '../request-context.js';
import type { ServerParts } from '../server-parts.js';
import { apiRouter } from './api-router.js';

const LOGIN_BODY = z.strictObject({
  username: z.string().min(1, { error: 'must not be empty' }).max(256),
  password: z.string().min(1, { error: 'must not be empty' }).max(4096),
  totp_code: z
    .string()
    .regex(/^\d{6,8}$/, { error: 'must be 6 to 8 digits' })
    .optional(),
});

/** authRoutes serves /v1/auth/login, logout and tokeninfo. */
export function authRoutes(parts: ServerParts): Router {
  const { auth, guards } = parts;
  const router = apiRouter();

  router.post(
    '/login',
    ...guards.unsealed,
    guards.loginLimit,
    ...guards.json,
    async (req, res) => {
      const body = parseBody(LOGIN_BODY, req.body);
      const reply = await auth.login({
        username: body.username,
        password: body.password,
        ...(body.totp_code === undefined ? {} : { totpCode: body.totp_code }),
      });
      res.json({
        token: reply.token,
        expires_at: reply.expiresAt.toISOString(),
      });
    },
  );

  router.post('/logout', ...guards.user, async (req, res) => {
    const { token } = contextOf(req);
    if (token !== undefined) await auth.logout(token);
    res.status(204).end();
  });

  router.get('/tokeninfo', ...guards.user, (req, res) => {
    const identity = identityOf(req);
    res.json({
      username: identity.username,
      roles: identity.roles,
      is_admin: identity.isAdmin,
      expires_at: identity.expiresAt.toISOString(),
    });
  });

  return router;
}
