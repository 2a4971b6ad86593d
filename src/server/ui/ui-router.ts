// The web UI: its static files, its pages and their actions, and its
// error handler, as one router the app mounts after the API.
import { createRequire } from 'node:module';

import express, { Router } from 'express';

import { projectPath } from '../../paths.js';
import type { ServerParts } from '../server-parts.js';
import { dashboardChains, dashboardPages } from './dashboard-pages.js';
import { loginPages } from './login-pages.js';
import { pageHeaders } from './page-headers.js';
import { setupPages } from './setup-pages.js';
import { transitActions } from './transit-actions.js';
import { uiErrorHandler } from './ui-errors.js';
import { makeUiKit } from './ui-kit.js';
import { redirect } from './ui-render.js';
import { homeOf, loadSession } from './ui-session.js';

// htmx is served from its package, so the version the lock file pins is
// the one that runs, and no page loads a script from elsewhere.
const HTMX_FILE = createRequire(import.meta.url).resolve(
  'htmx.org/dist/htmx.min.js',
);

/**
 * uiRouter builds the web UI. Every middleware is attached to the UI's
 * own paths rather than to the router as a whole, so a request the API
 * did not answer (a /v1 404) passes through untouched.
 */
export function uiRouter(parts: ServerParts): Router {
  const kit = makeUiKit(parts);
  const router = Router();

  // Step 1: static files, with the UI's headers.
  const headers = pageHeaders();
  router.use(
    '/static',
    headers,
    express.static(projectPath('views', 'static'), {
      index: false,
      redirect: false,
      etag: false,
    }),
  );
  router.get('/static/htmx.min.js', headers, (_req, res) => {
    res.sendFile(HTMX_FILE, { etag: false });
  });

  // Step 2: the pages, from the front door in.
  router.get('/', headers, loadSession(kit), (req, res) => {
    redirect(req, res, homeOf(kit, req));
  });
  setupPages(router, kit);
  loginPages(router, kit);
  const chains = dashboardChains(kit);
  dashboardPages(router, kit, chains);
  transitActions(router, kit, chains);

  // Step 3: what the pages threw, as pages.
  router.use(uiErrorHandler(kit));
  return router;
}
