// Part 5, brute force and abuse, through the real HTTPS server: seal
// password guessing locks out and stays locked across a restart, login
// flooding is rate limited per address, and a token is dead after logout
// for good. The admin boundary is in abuse-admin.test.ts.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { PASSWORD } from '../keyworker/vault-scratch.js';
import { errorOf, Harness } from '../server/harness.js';
import { floodLogin } from './abuse-flood.js';
import { lockOut } from './abuse-lockout.js';
import { post, reuseAfterLogout, tryToken } from './abuse-logout.js';

const LIMIT = { maxFailures: 5, windowMs: 60_000 } as const;

describe('abuse: seal password guessing', () => {
  let h: Harness;

  before(async () => {
    h = await Harness.start();
  });

  after(async () => {
    await h.close();
  });

  async function sealedVault(): Promise<string> {
    await h.fresh();
    await h.init();
    const admin = await h.login('admin');
    const seal = await h.call('POST', '/v1/seal', { token: admin });
    assert.equal(seal.status, 200, seal.text);
    return admin;
  }

  it('locks after five wrong guesses, the right one too, across a restart', async () => {
    await sealedVault();
    const report = await lockOut(h, { ...LIMIT, waitOut: false });

    assert.deepEqual(
      report.wrong.map((a) => `${String(a.status)} ${a.code}`),
      Array<string>(5).fill('401 invalid_password'),
    );
    for (const answer of [
      report.locked,
      report.rightWhileLocked,
      report.afterRestart,
    ]) {
      assert.equal(answer.status, 429);
      assert.equal(answer.code, 'too_many_attempts');
      const retry = answer.retryAfter ?? 0;
      assert.ok(Number.isInteger(retry) && retry >= 1 && retry <= 60);
    }
    assert.deepEqual((await h.call('GET', '/v1/status')).body, {
      state: 'sealed',
    });
  });

  it('counts wrong rekey and rotate-mek passwords towards the lockout', async () => {
    const admin = await sealedVault();
    await h.unseal();
    const guess = async (path: string, json: unknown): Promise<number> =>
      (await h.call('POST', path, { token: admin, json })).status;

    // Two wrong rekeys and two wrong rotations, then one wrong unseal.
    const statuses = [
      await guess('/v1/rekey', {
        old_password: 'wrong guess one',
        new_password: 'a new seal password',
      }),
      await guess('/v1/rekey', {
        old_password: 'wrong guess two',
        new_password: 'a new seal password',
      }),
      await guess('/v1/barrier/rotate-mek', { password: 'wrong guess 3' }),
      await guess('/v1/barrier/rotate-mek', { password: 'wrong guess 4' }),
    ];
    assert.deepEqual(statuses, [401, 401, 401, 401]);
    await h.call('POST', '/v1/seal', { token: admin });
    const fifth = await h.call('POST', '/v1/unseal', {
      json: { password: 'wrong guess 5' },
    });
    assert.equal(fifth.status, 401);

    // All three are locked now, an admin's token notwithstanding.
    const unseal = await h.call('POST', '/v1/unseal', {
      json: { password: PASSWORD },
    });
    assert.equal(unseal.status, 429);
    assert.equal(errorOf(unseal).code, 'too_many_attempts');
    await h.restart();
    const again = await h.call('POST', '/v1/unseal', {
      json: { password: PASSWORD },
    });
    assert.equal(again.status, 429);
  });
});

describe('abuse: the end of a lockout', () => {
  let h: Harness;

  before(async () => {
    h = await Harness.start({
      worker: { limiter: { ...LIMIT, lockoutMs: 1_500 } },
    });
  });

  after(async () => {
    await h.close();
  });

  it('opens with the right password once the lockout is over, after a restart', async () => {
    await h.init();
    const admin = await h.login('admin');
    await h.call('POST', '/v1/seal', { token: admin });
    const report = await lockOut(h, { ...LIMIT, waitOut: true });

    assert.equal(report.locked.status, 429);
    assert.equal(report.rightWhileLocked.status, 429);
    assert.ok((report.locked.retryAfter ?? 0) <= 2);
    assert.equal(report.opened?.status, 200);
    assert.deepEqual(report.opened.body, { state: 'unsealed' });
  });
});

describe('abuse: login flooding', () => {
  let h: Harness;

  before(async () => {
    h = await Harness.start({ config: { server: { auth_rate_limit: 5 } } });
    await h.init();
  });

  after(async () => {
    await h.close();
  });

  it('passes five logins from one address, 429 to the rest, serves the rest', async () => {
    const report = await floodLogin(h, {
      requests: 40,
      concurrency: 8,
      limit: 5,
    });

    // The flood: five reached MCIAS, whatever X-Forwarded-For said.
    assert.deepEqual(report.answers, {
      '401 invalid_credentials': 5,
      '429 rate_limited': 35,
    });
    assert.equal(report.mciasAttempts, 5);
    assert.ok(report.retryAfterOk, 'Retry-After and RateLimit headers');

    // The right password is refused too; everything else is served.
    assert.equal(report.rightWhileLimited.status, 429);
    assert.equal(report.rightWhileLimited.code, 'rate_limited');
    assert.deepEqual(Object.values(report.others), [200, 200, 200, 200, 200]);
    assert.equal(report.otherAddress.status, 200);
  });
});

describe('abuse: a token after logout', () => {
  let h: Harness;

  before(async () => {
    h = await Harness.start({ config: { mcias: { cache_ttl: 1 } } });
    await h.init();
    const admin = await h.login('admin');
    const mount = await h.call('POST', '/v1/engine/mount', {
      token: admin,
      json: { name: 'notes', type: 'notes' },
    });
    assert.equal(mount.status, 201, mount.text);
    const rule = await h.call('POST', '/v1/policy/rules', {
      token: admin,
      json: {
        id: 'alice-whoami',
        priority: 1,
        effect: 'allow',
        usernames: ['alice'],
        resources: ['engine/notes/whoami'],
        actions: ['read'],
      },
    });
    assert.equal(rule.status, 201, rule.text);
  });

  after(async () => {
    await h.close();
  });

  it('is refused at once, after the cache would have expired, and after a restart', async () => {
    const report = await reuseAfterLogout(h, 1);
    assert.deepEqual(report.beforeLogout, [200, 200, 200]);
    assert.equal(report.logout, 204);
    assert.deepEqual(report.atOnce, [401, 401, 401]);
    assert.deepEqual(report.afterCacheTtl, [401, 401, 401]);
    assert.equal(report.afterRestart, 401);
  });

  it('is refused past the cache when MCIAS never heard of the logout', async () => {
    const token = await h.login('alice');
    assert.deepEqual(await tryToken(h, token), [200, 200, 200]);
    await h.identity.kill();

    // MCIAS is down: the logout is local only, and final all the same,
    // before and after the cache entry would have expired.
    assert.equal(await post(h, '/v1/auth/logout', token), 204);
    assert.deepEqual(await tryToken(h, token), [401, 401, 401]);
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    assert.deepEqual(await tryToken(h, token), [401, 401, 401]);
    assert.ok(
      h.logLines.some((line) => line.includes('logout not sent to mcias')),
    );
  });
});
