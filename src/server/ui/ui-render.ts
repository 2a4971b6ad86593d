// Sends the web UI's replies: whole pages, fragments for htmx, and
// redirects that work for both a plain browser and htmx.
import type { Request, Response } from 'express';

import { csrfTokenFor } from './csrf-guard.js';
import { uiContextOf } from './ui-context.js';
import type { UiKit } from './ui-kit.js';
import type { ViewData } from './views.js';

/**
 * HTMX_CONFIG is htmx's configuration, read from a meta tag so it needs
 * no inline script. No eval, no script tags from responses, no indicator
 * style element and no style attributes carried over a swap (the CSP
 * forbids inline styles), no page snapshots in localStorage (they would
 * keep plaintext a page showed), and every reply swapped, errors
 * included, since error replies are the form showing what went wrong.
 */
export const HTMX_CONFIG = JSON.stringify({
  allowEval: false,
  allowScriptTags: false,
  includeIndicatorStyles: false,
  attributesToSettle: ['class', 'width', 'height'],
  historyCacheSize: 0,
  refreshOnHistoryMiss: true,
  selfRequestsOnly: true,
  responseHandling: [
    { code: '204', swap: false },
    { code: '...', swap: true, error: false },
  ],
});

/** isHtmx tells whether htmx sent req, and wants a fragment back. */
export function isHtmx(req: Request): boolean {
  return req.get('hx-request') === 'true';
}

/**
 * redirect sends the browser to location: 303 See Other for a plain
 * request (a POST becomes a GET), and HX-Redirect for htmx, which would
 * otherwise follow the redirect itself and swap the page it gets into a
 * fragment's place.
 */
export function redirect(req: Request, res: Response, location: string): void {
  if (isHtmx(req)) {
    res.setHeader('HX-Redirect', location);
    res.status(200).end();
    return;
  }
  res.redirect(303, location);
}

/** sendPage renders pages/<page> inside the layout. */
export async function sendPage(
  kit: UiKit,
  req: Request,
  res: Response,
  page: string,
  data: ViewData,
  status = 200,
): Promise<void> {
  const html = await kit.views.render('layout', {
    ...commonData(kit, req, res),
    ...data,
    page,
  });
  res.status(status).type('html').send(html);
}

/** sendFragment renders partials/<name> alone, for htmx to swap in. */
export async function sendFragment(
  kit: UiKit,
  req: Request,
  res: Response,
  name: string,
  data: ViewData,
  status = 200,
): Promise<void> {
  const html = await kit.views.render(`partials/${name}`, {
    ...commonData(kit, req, res),
    ...data,
  });
  res.status(status).type('html').send(html);
}

// What every template may use: who is logged in, the form token, the
// vault's state and the version.
function commonData(kit: UiKit, req: Request, res: Response): ViewData {
  const { session } = uiContextOf(req);
  return {
    csrf: csrfTokenFor(kit, req, res),
    identity: session?.identity,
    state: kit.worker.state,
    version: kit.version,
    htmxConfig: HTMX_CONFIG,
    title: 'Metacrypt',
  };
}
