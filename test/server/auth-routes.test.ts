// Login, logout and token information through the real server and the
// dev identity server as its own process: MCIAS's answers mapped to ours,
// the token cache, and what happens while MCIAS is down.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { decodeBase32, totpCode } from '../../src/dev-identity/index.js';
import { DEV_TOTP_SECRET, devUser } from '../fixtures/identity-process.js';
import { errorOf, Harness } from './harness.js';

// The number the metrics report for one outcome of the token cache.
async function cacheCount(
  h: Harness,
  token: string,
  outcome: 'hit' | 'miss',
): Promise<number> {
  const reply = await h.call('GET', '/v1/metrics', { token });
  const line = reply.text
    .split('\n')
    .find((l) =>
      l.startsWith(`metacrypt_auth_cache_requests_total{outcome="${outcome}"}`),
    );
  return Number(line?.split(' ')[1]);
}

describe('auth routes', () => {
  let h: Harness;

  before(async () => {
    h = await Harness.start({ config: { mcias: { cache_ttl: 1 } } });
    await h.init();
  });

  after(async () => {
    await h.close();
  });

  it('logs a user in and describes the token', async () => {
    const login = await h.call('POST', '/v1/auth/login', {
      json: { username: 'admin', password: devUser('admin').password },
    });
    assert.equal(login.status, 200);
    const { token, expires_at: expiresAt } = login.body as {
      token: string;
      expires_at: string;
    };
    h.secret(token);
    assert.ok(Date.parse(expiresAt) > Date.now());
    assert.deepEqual(Object.keys(login.body as object).sort(), [
      'expires_at',
      'token',
    ]);

    const info = await h.call('GET', '/v1/auth/tokeninfo', { token });
    assert.equal(info.status, 200);
    assert.deepEqual(info.body, {
      username: 'admin',
      roles: ['admin'],
      is_admin: true,
      expires_at: new Date(expiresAt).toISOString(),
    });
    const alice = await h.login('alice');
    const aliceInfo = await h.call('GET', '/v1/auth/tokeninfo', {
      token: alice,
    });
    assert.deepEqual(
      (aliceInfo.body as { is_admin: boolean; roles: string[] }).is_admin,
      false,
    );
  });

  it('maps MCIAS refusals to 401 invalid credentials and 403 login denied', async () => {
    const cases: [unknown, number, string, string][] = [
      [
        { username: 'alice', password: 'not her password' },
        401,
        'invalid_credentials',
        'invalid credentials',
      ],
      [
        { username: 'nobody', password: 'any password at all' },
        401,
        'invalid_credentials',
        'invalid credentials',
      ],
      [
        { username: 'dana', password: devUser('dana').password },
        403,
        'login_denied',
        'login denied',
      ],
      [
        { username: 'tess', password: devUser('tess').password },
        401,
        'invalid_credentials',
        'invalid credentials',
      ],
      [{ username: 'alice' }, 400, 'bad_request', 'password: is required'],
      [
        { username: 'tess', password: 'x', totp_code: 'abc' },
        400,
        'bad_request',
        'totp_code: must be 6 to 8 digits',
      ],
      [
        { username: 'alice', password: 'x', extra: 1 },
        400,
        'bad_request',
        'unknown field extra',
      ],
    ];
    for (const [json, status, code, error] of cases) {
      const reply = await h.call('POST', '/v1/auth/login', { json });
      assert.equal(reply.status, status, JSON.stringify(json));
      assert.deepEqual(errorOf(reply), { error, code });
    }
  });

  it('passes a TOTP code through to MCIAS', async () => {
    const secret = decodeBase32(DEV_TOTP_SECRET);
    assert.ok(secret !== undefined);
    const reply = await h.call('POST', '/v1/auth/login', {
      json: {
        username: 'tess',
        password: devUser('tess').password,
        totp_code: totpCode(secret, Date.now()),
      },
    });
    assert.equal(reply.status, 200, reply.text);
    h.secret((reply.body as { token: string }).token);
  });

  it('answers from the token cache until the entry expires', async () => {
    const token = await h.login('admin');
    await h.call('GET', '/v1/auth/tokeninfo', { token });
    const hits = await cacheCount(h, token, 'hit');
    const misses = await cacheCount(h, token, 'miss');
    await h.call('GET', '/v1/auth/tokeninfo', { token });
    // Three hits since: the scrape for misses, tokeninfo, and this scrape
    // (each scrape authenticates before it reads the counters).
    assert.equal(await cacheCount(h, token, 'hit'), hits + 3);
    assert.equal(await cacheCount(h, token, 'miss'), misses);

    // cache_ttl is 1 s: after it, MCIAS is asked again.
    await sleep(1_100);
    await h.call('GET', '/v1/auth/tokeninfo', { token });
    assert.ok((await cacheCount(h, token, 'miss')) > misses);
  });

  it('ends a token at logout, here and at MCIAS', async () => {
    const token = await h.login('alice');
    assert.equal(
      (await h.call('GET', '/v1/auth/tokeninfo', { token })).status,
      200,
    );
    const logout = await h.call('POST', '/v1/auth/logout', { token });
    assert.equal(logout.status, 204);
    assert.equal(logout.text, '');
    const after = await h.call('GET', '/v1/auth/tokeninfo', { token });
    assert.equal(after.status, 401);
    assert.deepEqual(errorOf(after), {
      error: 'unauthenticated',
      code: 'unauthenticated',
    });
    assert.equal(
      (await h.call('POST', '/v1/auth/logout', { token })).status,
      401,
    );
  });
});

describe('auth routes while MCIAS is down', () => {
  let h: Harness;

  before(async () => {
    h = await Harness.start({ config: { mcias: { cache_ttl: 2 } } });
    await h.init();
  });

  after(async () => {
    await h.close();
  });

  it('answers 502 to a login, keeps cached tokens until they expire', async () => {
    const cached = await h.login('alice');
    const uncached = await h.login('admin');
    assert.equal(
      (await h.call('GET', '/v1/auth/tokeninfo', { token: cached })).status,
      200,
    );
    await h.identity.kill();

    const login = await h.call('POST', '/v1/auth/login', {
      json: { username: 'alice', password: devUser('alice').password },
    });
    assert.equal(login.status, 502);
    assert.deepEqual(errorOf(login), {
      error: 'mcias unavailable: connection refused',
      code: 'mcias_unavailable',
    });

    // The cached token still works; one never validated cannot be.
    const info = await h.call('GET', '/v1/auth/tokeninfo', { token: cached });
    assert.equal(info.status, 200);
    const fresh = await h.call('GET', '/v1/auth/tokeninfo', {
      token: uncached,
    });
    assert.equal(fresh.status, 502);
    assert.equal(errorOf(fresh).code, 'mcias_unavailable');

    // Once its cache entry expires, the cached one cannot be checked.
    await sleep(2_100);
    const expired = await h.call('GET', '/v1/auth/tokeninfo', {
      token: cached,
    });
    assert.equal(expired.status, 502);
  });
});
