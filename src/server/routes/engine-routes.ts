// Engine mounts and requests (DESIGN.md §8): any user may list, admins
// mount and unmount, and every request passes the operation's schema and
// the policy before the key worker runs it.
import type { Router } from 'express';
import { z } from 'zod';

import { mountReply } from '../../engine/engine-service.js';
import type { JsonValue } from '../../engine/json.js';
import { MOUNT_NAME, MOUNT_NAME_RULE } from '../../engine/mount-name.js';
import { parseBody } from '../../errors/index.js';
import { identityOf } from '../request-context.js';
import { sendJson } from '../send-json.js';
import type { ServerParts } from '../server-parts.js';
import { apiRouter } from './api-router.js';

const mountName = z
  .string({ error: 'must be a string' })
  .regex(MOUNT_NAME, { error: MOUNT_NAME_RULE });
const MOUNT_BODY = z.strictObject({
  name: mountName,
  type: z.string().min(1, { error: 'must not be empty' }).max(64),
  config: z.record(z.string(), z.unknown()).optional(),
});
const UNMOUNT_BODY = z.strictObject({ name: mountName });
const REQUEST_BODY = z.strictObject({
  mount: mountName,
  operation: z.string().min(1, { error: 'must not be empty' }).max(64),
  data: z.unknown().optional(),
});

/** engineRoutes serves /v1/engine/*. */
export function engineRoutes(parts: ServerParts): Router {
  const { engines, guards } = parts;
  const router = apiRouter();

  router.get('/types', ...guards.user, (_req, res) => {
    res.json({ types: engines.registry.describe() });
  });

  router.get('/mounts', ...guards.user, async (_req, res) => {
    res.json({ mounts: (await engines.mounts()).map(mountReply) });
  });

  router.post('/mount', ...guards.admin, ...guards.json, async (req, res) => {
    const body = parseBody(MOUNT_BODY, req.body);
    const info = await engines.mount(body.name, body.type, body.config);
    res.status(201).json(mountReply(info));
  });

  router.post('/unmount', ...guards.admin, ...guards.json, async (req, res) => {
    const body = parseBody(UNMOUNT_BODY, req.body);
    const { entriesDeleted } = await engines.unmount(body.name);
    res.json({ name: body.name, entries_deleted: entriesDeleted });
  });

  router.post('/request', ...guards.user, ...guards.json, async (req, res) => {
    const body = parseBody(REQUEST_BODY, req.body);
    const reply = await engines.request(identityOf(req), {
      mount: body.mount,
      operation: body.operation,
      data: (body.data ?? {}) as JsonValue,
    });
    sendJson(res, reply);
  });

  return router;
}
