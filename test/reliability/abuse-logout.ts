// Token reuse after logout: refused at once (the server remembers the
// logout), still refused once the token cache would have let a cached
// token through, and still refused after a restart, when only MCIAS's
// revocation stands between the token and the vault.
import { setTimeout as sleep } from 'node:timers/promises';

import type { Harness } from '../server/harness.js';
import { send } from './abuse-http.js';

/** LogoutReport holds the statuses a logged-out token met, by moment. */
export interface LogoutReport {
  /** tokeninfo, the mount list and an engine request, while valid. */
  readonly beforeLogout: readonly number[];
  readonly logout: number;
  /** tokeninfo, the mount list and an engine request, at once. */
  readonly atOnce: readonly number[];
  /** The same, after the cache's time to live has passed. */
  readonly afterCacheTtl: readonly number[];
  /** tokeninfo after a restart and unseal. */
  readonly afterRestart: number;
}

/**
 * reuseAfterLogout logs alice in, uses and caches her token, logs it out
 * and tries it again at each moment. cacheTtlSeconds is the server's
 * mcias.cache_ttl; the wait is a little more.
 */
export async function reuseAfterLogout(
  h: Harness,
  cacheTtlSeconds: number,
): Promise<LogoutReport> {
  // Step 1: a token, used twice so its validation is cached.
  const token = await h.login('alice');
  await tryToken(h, token);
  const beforeLogout = await tryToken(h, token);
  const logout = await post(h, '/v1/auth/logout', token);

  // Step 2: at once, then past the cache's time to live.
  const atOnce = await tryToken(h, token);
  await sleep(cacheTtlSeconds * 1000 + 200);
  const afterCacheTtl = await tryToken(h, token);

  // Step 3: a new server has no memory of the logout; MCIAS has.
  await h.restart();
  await h.unseal();
  const afterRestart = (await tryToken(h, token))[0] ?? 0;
  return { beforeLogout, logout, atOnce, afterCacheTtl, afterRestart };
}

/** tryToken uses token three ways and returns the three statuses. */
export async function tryToken(h: Harness, token: string): Promise<number[]> {
  const headers = { authorization: `Bearer ${token}` };
  const info = await send(h.url, {
    method: 'GET',
    path: '/v1/auth/tokeninfo',
    headers,
  });
  const mounts = await send(h.url, {
    method: 'GET',
    path: '/v1/engine/mounts',
    headers,
  });
  const engine = await send(h.url, {
    method: 'POST',
    path: '/v1/engine/request',
    json: { mount: 'notes', operation: 'whoami', data: {} },
    headers,
  });
  return [info.status, mounts.status, engine.status];
}

/** post sends an empty POST with token and returns the status. */
export async function post(
  h: Harness,
  path: string,
  token: string,
): Promise<number> {
  const answer = await send(h.url, {
    method: 'POST',
    path,
    headers: { authorization: `Bearer ${token}` },
  });
  return answer.status;
}
