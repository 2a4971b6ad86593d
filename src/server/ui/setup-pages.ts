// The pages that open the vault: init, to choose the seal password on a
// new vault, and unseal, to open a sealed one.
import { createHash } from 'node:crypto';

import type { Request, Response, Router } from 'express';

// The main thread imports the helpers it needs, not the crypto module's
// index, which would load the AEAD and the KDF, key code it must not reach.
import { constantTimeEqual } from '../../crypto/zeroize.js';
import { MetacryptError } from '../../errors/index.js';
import { checkCsrf } from './csrf-guard.js';
import { field } from './form-body.js';
import { pageHeaders } from './page-headers.js';
import { showErrorsIn } from './ui-errors.js';
import type { ShownError } from './ui-errors.js';
import type { UiKit } from './ui-kit.js';
import { redirect, sendPage } from './ui-render.js';
import { loadSession, onlyAt } from './ui-session.js';

// As the API's init and unseal bodies allow.
const MAX_PASSWORD = 4096;

/** setupPages adds /init and /unseal to router. */
export function setupPages(router: Router, kit: UiKit): void {
  const { guards, worker, logger, metrics } = kit;
  const minLength = kit.config.seal.min_password_length;
  const headers = pageHeaders();
  const session = loadSession(kit);
  // When the last lockout an unseal here met ends, so the page can say
  // so on a reload too. The key worker keeps the real count.
  let lockedUntil = 0;

  const initPage = (
    req: Request,
    res: Response,
    shown?: ShownError,
  ): Promise<void> =>
    sendPage(
      kit,
      req,
      res,
      'init',
      { title: 'Initialize', minLength, error: shown?.message },
      shown?.status,
    );

  const unsealPage = (
    req: Request,
    res: Response,
    shown?: ShownError,
  ): Promise<void> => {
    if (shown?.code === 'too_many_attempts') {
      lockedUntil = Date.now() + (shown.retryAfterSeconds ?? 0) * 1000;
    }
    const left = Math.ceil((lockedUntil - Date.now()) / 1000);
    const locked = shown === undefined || shown.code === 'too_many_attempts';
    return sendPage(
      kit,
      req,
      res,
      'unseal',
      {
        title: 'Unseal',
        lockoutSeconds: locked && left > 0 ? left : undefined,
        error: shown?.code === 'too_many_attempts' ? undefined : shown?.message,
      },
      shown?.status,
    );
  };

  router.get('/init', headers, session, onlyAt(kit, '/init'), (req, res) =>
    initPage(req, res),
  );

  router.post(
    '/init',
    headers,
    showErrorsIn(kit, initPage),
    guards.initLimit,
    ...kit.form,
    checkCsrf(kit),
    session,
    onlyAt(kit, '/init'),
    async (req, res) => {
      const password = checkedPassword(field(req, 'password'));
      if (!samePassword(password, field(req, 'confirm'))) {
        throw new MetacryptError('bad_request', 'the passwords differ');
      }
      await worker.init(password);
      logger.info('vault initialized', { remote_addr: req.ip, via: 'ui' });
      redirect(req, res, '/login');
    },
  );

  router.get('/unseal', headers, session, onlyAt(kit, '/unseal'), (req, res) =>
    unsealPage(req, res),
  );

  router.post(
    '/unseal',
    headers,
    showErrorsIn(kit, unsealPage),
    guards.unsealLimit,
    ...kit.form,
    checkCsrf(kit),
    session,
    onlyAt(kit, '/unseal'),
    async (req, res) => {
      const password = checkedPassword(field(req, 'password'));
      try {
        await worker.unseal(password);
      } catch (err) {
        // Counted and logged as the API's unseal does.
        if (err instanceof MetacryptError && isUnsealRefusal(err.code)) {
          metrics.unsealFailure();
          logger.warn('unseal refused', {
            code: err.code,
            remote_addr: req.ip,
            user: 'anyone',
            via: 'ui',
          });
        }
        throw err;
      }
      lockedUntil = 0;
      logger.info('vault unsealed', { remote_addr: req.ip, via: 'ui' });
      redirect(req, res, '/login');
    },
  );
}

function checkedPassword(password: string): string {
  if (password === '') {
    throw new MetacryptError('bad_request', 'password: is required');
  }
  if (password.length > MAX_PASSWORD) {
    throw new MetacryptError(
      'bad_request',
      `password: must be at most ${String(MAX_PASSWORD)} characters`,
    );
  }
  return password;
}

// The two entries of a new password are compared by digest, in constant
// time, so neither their contents nor their lengths show in the timing.
function samePassword(a: string, b: string): boolean {
  const digest = (text: string): Buffer =>
    createHash('sha256').update(text, 'utf8').digest();
  return constantTimeEqual(digest(a), digest(b));
}

function isUnsealRefusal(code: string): boolean {
  return code === 'invalid_password' || code === 'too_many_attempts';
}
