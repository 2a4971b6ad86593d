// Policy rule CRUD for admins (DESIGN.md §7, §8). The store validates
// each rule and names the bad field; these routes only carry requests.
import type { Request, Router } from 'express';

import type { ServerParts } from '../server-parts.js';
import { apiRouter } from './api-router.js';

/** policyRoutes serves /v1/policy/rules and /v1/policy/rule/:id. */
export function policyRoutes(parts: ServerParts): Router {
  const { policy, guards, logger } = parts;
  const router = apiRouter();

  router.get('/rules', ...guards.admin, async (_req, res) => {
    res.json({ rules: await policy.list() });
  });

  router.post('/rules', ...guards.admin, ...guards.json, async (req, res) => {
    const rule = await policy.create(req.body);
    logger.info('policy rule created', { rule: rule.id });
    res.status(201).json(rule);
  });

  router.get('/rule/:id', ...guards.admin, async (req, res) => {
    res.json(await policy.get(ruleIdOf(req)));
  });

  router.put('/rule/:id', ...guards.admin, ...guards.json, async (req, res) => {
    const { rule, created } = await policy.put(ruleIdOf(req), req.body);
    logger.info('policy rule written', { rule: rule.id, created });
    res.status(created ? 201 : 200).json(rule);
  });

  router.delete('/rule/:id', ...guards.admin, async (req, res) => {
    await policy.delete(ruleIdOf(req));
    logger.info('policy rule deleted', { rule: ruleIdOf(req) });
    res.status(204).end();
  });

  return router;
}

// Express types a route parameter loosely; the store checks the id.
function ruleIdOf(req: Request): string {
  const id: unknown = req.params.id;
  return typeof id === 'string' ? id : '';
}
