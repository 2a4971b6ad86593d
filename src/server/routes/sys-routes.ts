// The vault's own endpoints: status and health for anyone, init and unseal
// for whoever holds the password, and seal, rekey and the keyring for
// admins (DESIGN.md §8).
import type { Router } from 'express';
import { z } from 'zod';

import { MetacryptError, parseBody } from '../../errors/index.js';
import type { KeyInfo, SealState } from '../../keyworker/index.js';
import { identityOf } from '../request-context.js';
import type { ServerParts } from '../server-parts.js';
import { apiRouter } from './api-router.js';

const password = z.string().min(1, { error: 'must not be empty' }).max(4096);
const PASSWORD_BODY = z.strictObject({ password });
const REKEY_BODY = z.strictObject({
  old_password: password,
  new_password: password,
});
const ROTATE_KEY_BODY = z.strictObject({
  key_id: z.string().min(1, { error: 'must not be empty' }).max(128),
});

/** sysRoutes serves status, health, init, unseal, seal, rekey, keyring. */
export function sysRoutes(parts: ServerParts): Router {
  const { worker, logger, metrics, guards } = parts;
  const router = apiRouter();

  // The state in every state, 200 always: a worker being replaced reads
  // as sealed, which is what it will be.
  router.get('/status', async (_req, res) => {
    let state: SealState;
    try {
      state = (await worker.status()).state;
    } catch {
      state = 'sealed';
    }
    res.json({ state });
  });

  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  router.post('/init', guards.initLimit, ...guards.json, async (req, res) => {
    const body = parseBody(PASSWORD_BODY, req.body);
    const reply = await worker.init(body.password);
    logger.info('vault initialized', { remote_addr: req.ip });
    res.json(reply);
  });

  router.post(
    '/unseal',
    guards.unsealLimit,
    ...guards.json,
    async (req, res) => {
      const body = parseBody(PASSWORD_BODY, req.body);
      const reply = await watchPassword('unseal', req.ip, 'anyone', () =>
        worker.unseal(body.password),
      );
      logger.info('vault unsealed', { remote_addr: req.ip });
      res.json(reply);
    },
  );

  router.post('/seal', ...guards.admin, async (req, res) => {
    const reply = await worker.seal();
    logger.info('vault sealed', { user: identityOf(req).username });
    res.json(reply);
  });

  // A wrong seal password counts wherever it is tried: an admin token
  // must not make a quiet way to guess it.
  const watchPassword = async <T>(
    what: string,
    remote: string | undefined,
    user: string,
    attempt: () => Promise<T>,
  ): Promise<T> => {
    try {
      return await attempt();
    } catch (err) {
      if (err instanceof MetacryptError && isUnsealRefusal(err.code)) {
        // The metric counts unseals only (docs/API.md); a wrong password
        // at rekey or rotate-mek still counts towards the lockout.
        if (what === 'unseal') metrics.unsealFailure();
        logger.warn(`${what} refused`, {
          code: err.code,
          remote_addr: remote,
          user,
        });
      }
      throw err;
    }
  };

  router.post('/rekey', ...guards.admin, ...guards.json, async (req, res) => {
    const body = parseBody(REKEY_BODY, req.body);
    const { rekeyedAt } = await watchPassword(
      'rekey',
      req.ip,
      identityOf(req).username,
      () => worker.rekey(body.old_password, body.new_password),
    );
    logger.info('vault rekeyed', { user: identityOf(req).username });
    res.json({ rekeyed_at: rekeyedAt });
  });

  router.get('/barrier/keys', ...guards.admin, async (_req, res) => {
    res.json({ keys: (await worker.listKeys()).map(keyReply) });
  });

  router.post(
    '/barrier/rotate-mek',
    ...guards.admin,
    ...guards.json,
    async (req, res) => {
      const body = parseBody(PASSWORD_BODY, req.body);
      const { mekVersion, rewrapped } = await watchPassword(
        'master key rotation',
        req.ip,
        identityOf(req).username,
        () => worker.rotateMek(body.password),
      );
      logger.info('master key rotated', {
        user: identityOf(req).username,
        mek_version: mekVersion,
      });
      res.json({ mek_version: mekVersion, rewrapped });
    },
  );

  router.post(
    '/barrier/rotate-key',
    ...guards.admin,
    ...guards.json,
    async (req, res) => {
      const body = parseBody(ROTATE_KEY_BODY, req.body);
      const info = await worker.rotateKey(body.key_id);
      logger.info('data key rotated', {
        user: identityOf(req).username,
        key_id: info.keyId,
        version: info.latest,
      });
      res.json(keyReply(info));
    },
  );

  return router;
}

function isUnsealRefusal(code: string): boolean {
  return code === 'invalid_password' || code === 'too_many_attempts';
}

function keyReply(info: KeyInfo): Record<string, unknown> {
  return {
    key_id: info.keyId,
    versions: info.versions,
    latest: info.latest,
    created_at: info.createdAt,
  };
}
