// What every web UI handler works with: the server's parts, the views,
// the signers for the session and CSRF cookies, the seal epoch, and the
// version shown on each page.
import { readFileSync } from 'node:fs';

import type { RequestHandler } from 'express';

import { projectPath } from '../../paths.js';
import type { ServerParts } from '../server-parts.js';
import { CsrfTokens } from './csrf-tokens.js';
import { formBody } from './form-body.js';
import { MacKey } from './mac-key.js';
import { SealEpoch } from './seal-epoch.js';
import { SessionCookies } from './session-cookie.js';
import { Views } from './views.js';

/** UiKit is built once per server and shared by every UI route. */
export interface UiKit extends ServerParts {
  readonly views: Views;
  readonly sessions: SessionCookies;
  readonly csrf: CsrfTokens;
  readonly epoch: SealEpoch;
  /** The package version, shown in every page's footer. */
  readonly version: string;
  /** Parses a form post within the server's request size limit. */
  readonly form: RequestHandler[];
}

/**
 * makeUiKit builds the kit. Session cookies and CSRF tokens are signed
 * with keys made here and kept only in memory: a restart ends every
 * session, as the seal that comes with it should.
 */
export function makeUiKit(parts: ServerParts): UiKit {
  return {
    ...parts,
    views: new Views(),
    sessions: new SessionCookies(new MacKey()),
    csrf: new CsrfTokens(new MacKey()),
    epoch: new SealEpoch(parts.worker),
    version: packageVersion(),
    form: formBody(parts.config.server.max_request_bytes),
  };
}

function packageVersion(): string {
  const text = readFileSync(projectPath('package.json'), 'utf8');
  const { version } = JSON.parse(text) as { version?: unknown };
  return typeof version === 'string' ? version : 'unknown';
}
