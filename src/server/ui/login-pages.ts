// Logging in with MCIAS credentials (and a TOTP code when the account
// has one), and logging out, which ends the token at MCIAS.
import type { Request, Response, Router } from 'express';

import { MetacryptError } from '../../errors/index.js';
import { checkCsrf } from './csrf-guard.js';
import { field } from './form-body.js';
import { pageHeaders } from './page-headers.js';
import { uiContextOf } from './ui-context.js';
import { showErrorsIn } from './ui-errors.js';
import type { ShownError } from './ui-errors.js';
import type { UiKit } from './ui-kit.js';
import { redirect, sendPage } from './ui-render.js';
import {
  endSession,
  homeOf,
  loadSession,
  onlyAt,
  startSession,
} from './ui-session.js';

// As the API's login body allows.
const MAX_USERNAME = 256;
const MAX_PASSWORD = 4096;
const TOTP_CODE = /^\d{6,8}$/;

/** loginPages adds /login and /logout to router. */
export function loginPages(router: Router, kit: UiKit): void {
  const headers = pageHeaders();
  const session = loadSession(kit);

  // The username is kept on a refusal, so only the password is retyped.
  const loginPage = (
    req: Request,
    res: Response,
    shown?: ShownError,
  ): Promise<void> =>
    sendPage(
      kit,
      req,
      res,
      'login',
      {
        title: 'Log in',
        username: field(req, 'username'),
        error: shown?.message,
      },
      shown?.status,
    );

  router.get('/login', headers, session, onlyAt(kit, '/login'), (req, res) =>
    loginPage(req, res),
  );

  router.post(
    '/login',
    headers,
    showErrorsIn(kit, loginPage),
    kit.guards.loginLimit,
    ...kit.form,
    checkCsrf(kit),
    session,
    onlyAt(kit, '/login'),
    async (req, res) => {
      const username = field(req, 'username');
      const password = field(req, 'password');
      const totp = field(req, 'totp_code').trim();
      checkLength('username', username, MAX_USERNAME);
      checkLength('password', password, MAX_PASSWORD);
      if (totp !== '' && !TOTP_CODE.test(totp)) {
        throw new MetacryptError(
          'bad_request',
          'totp_code: must be 6 to 8 digits',
        );
      }

      // The epoch before MCIAS is asked: a seal meanwhile ends the
      // session at once.
      const epoch = kit.epoch.current;
      const reply = await kit.auth.login({
        username,
        password,
        ...(totp === '' ? {} : { totpCode: totp }),
      });
      await startSession(kit, req, res, reply.token, epoch);
      redirect(req, res, '/dashboard');
    },
  );

  // Logging out is a post, like every change; the page is its button.
  router.get('/logout', headers, session, async (req, res) => {
    if (uiContextOf(req).session === undefined) {
      redirect(req, res, homeOf(kit, req));
      return;
    }
    await sendPage(kit, req, res, 'logout', { title: 'Log out' });
  });

  router.post(
    '/logout',
    headers,
    ...kit.form,
    checkCsrf(kit),
    session,
    async (req, res) => {
      await endSession(kit, req, res);
      redirect(req, res, homeOf(kit, req));
    },
  );
}

function checkLength(name: string, value: string, max: number): void {
  if (value === '') {
    throw new MetacryptError('bad_request', `${name}: is required`);
  }
  if (value.length > max) {
    throw new MetacryptError(
      'bad_request',
      `${name}: must be at most ${String(max)} characters`,
    );
  }
}
