// The HTTP checks of the transport part: security headers on replies of
// every kind, what plain HTTP to the HTTPS port gets, and which ports a
// `metacrypt server` process listens on.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
  startServerProcess,
  writeServerConfig,
} from '../fixtures/server-process.js';
import { UiClient } from '../server/ui/ui-client.js';
import { headerProblems } from './transport-headers.js';
import { describePlain, plainHttp, socketsOf } from './transport-ports.js';
import type { ProcessSockets } from './transport-ports.js';
import type { TransportRig } from './transport-rig.js';

/** HeaderRow is one reply and what is wrong with its security headers. */
export interface HeaderRow {
  readonly reply: string;
  readonly status: number;
  readonly expected: number;
  readonly problems: readonly string[];
}

/**
 * headerChecks gets a reply of each kind, API and web UI, and checks its
 * security headers: successes, redirects, static files, and the errors
 * 400, 401, 403, 404, 413, 429 and 500.
 */
export async function headerChecks(rig: TransportRig): Promise<HeaderRow[]> {
  const h = rig.ecdsa;
  const rows: HeaderRow[] = [];
  const api = async (
    name: string,
    expected: number,
    method: string,
    path: string,
    options: Parameters<typeof h.call>[2] = {},
  ): Promise<void> => {
    const reply = await h.call(method, path, options);
    rows.push({
      reply: `API ${name}`,
      status: reply.status,
      expected,
      problems: headerProblems(reply.headers, true),
    });
  };

  // Step 1: the API, one reply of each status it answers with.
  await api('GET /v1/status', 200, 'GET', '/v1/status');
  await api('malformed JSON', 400, 'POST', '/v1/init', { raw: '{' });
  await api('no token', 401, 'GET', '/v1/auth/tokeninfo');
  await api('not an admin', 403, 'POST', '/v1/seal', { token: rig.alice });
  await api('unknown path', 404, 'GET', '/v1/no-such-endpoint');
  await api('body over the limit', 413, 'POST', '/v1/engine/mount', {
    token: rig.admin,
    raw: 'x'.repeat(2048),
  });
  // startTransportRig's two logins used the limit up.
  await api('rate limited', 429, 'POST', '/v1/auth/login', { json: {} });
  await api('unplanned fault', 500, 'POST', '/v1/engine/request', {
    token: rig.admin,
    json: { mount: 'notes', operation: 'crash' },
  });

  // Step 2: the web UI, as a browser without a session meets it.
  const ui = new UiClient(h);
  const page = async (
    name: string,
    expected: number,
    path: string,
    post = false,
  ): Promise<void> => {
    const reply = post
      ? await ui.post(path, {}, { csrf: false })
      : await ui.get(path);
    rows.push({
      reply: `UI ${name}`,
      status: reply.status,
      expected,
      problems: headerProblems(reply.headers, false),
    });
  };
  await page('GET / (a redirect)', 303, '/');
  await page('the login page', 200, '/login');
  await page('a static file', 200, '/static/htmx.min.js');
  await page('the dashboard without a session', 303, '/dashboard');
  await page('a form post without its CSRF token', 403, '/logout', true);
  return rows;
}

/** PlainCheck is what plain HTTP to the HTTPS port got. */
export interface PlainCheck {
  readonly described: string;
  /** Nothing that reads as HTTP came back. */
  readonly held: boolean;
}

/** plainCheck sends plain HTTP to the vault's HTTPS port. */
export async function plainCheck(rig: TransportRig): Promise<PlainCheck> {
  const reply = await plainHttp(rig.ecdsa.server.port);
  return {
    described: describePlain(reply),
    held: !reply.bytes.toString('latin1').startsWith('HTTP/'),
  };
}

/** PortCheck is what a `metacrypt server` process listens on. */
export interface PortCheck {
  readonly configured: number;
  readonly sockets: ProcessSockets;
  /** One TCP listener, on the configured address and port, and no other. */
  readonly held: boolean;
}

/**
 * portCheck runs `metacrypt server` as its own process on a test
 * configuration (127.0.0.1, an ephemeral port) and lists every socket it
 * holds that another process could reach.
 */
export async function portCheck(): Promise<PortCheck> {
  const dir = mkdtempSync(join(tmpdir(), 'metacrypt-ports-'));
  try {
    const config = writeServerConfig(join(dir, 'metacrypt.toml'), {
      database: join(dir, 'vault.db'),
    });
    const server = await startServerProcess(config, dir);
    try {
      const configured = Number(new URL(server.url).port);
      const sockets = socketsOf(server.child.pid ?? 0);
      const [only] = sockets.listening;
      return {
        configured,
        sockets,
        held:
          sockets.listening.length === 1 &&
          only?.address === '127.0.0.1' &&
          only.port === configured &&
          sockets.udp.length === 0 &&
          sockets.unixListening.length === 0,
      };
    } finally {
      await server.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
