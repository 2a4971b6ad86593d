// Login, init and unseal are rate limited per client address: past the
// configured number a minute, 429 with Retry-After, each endpoint apart.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { devUser } from '../fixtures/identity-process.js';
import { errorOf, Harness } from './harness.js';

describe('rate limits', () => {
  let h: Harness;

  before(async () => {
    h = await Harness.start({ config: { server: { auth_rate_limit: 3 } } });
  });

  after(async () => {
    await h.close();
  });

  it('refuses the fourth init, unseal or login a minute from one address', async () => {
    // Init: a short password is refused three times, then rate limited.
    for (let i = 0; i < 3; i++) {
      const reply = await h.call('POST', '/v1/init', {
        json: { password: 'short' },
      });
      assert.equal(reply.status, 400);
    }
    const init = await h.call('POST', '/v1/init', {
      json: { password: 'short' },
    });
    assert.equal(init.status, 429);
    assert.equal(errorOf(init).code, 'rate_limited');
    assert.match(
      errorOf(init).error,
      /^too many attempts: try again in \d+ seconds$/,
    );
    const retry = Number(init.headers['retry-after']);
    assert.ok(retry >= 1 && retry <= 60, String(retry));
    assert.ok(
      h.logLines.some(
        (l) => l.includes('rate limit reached') && l.includes('"limit":"init"'),
      ),
    );

    // Unseal and login have limits of their own; the vault still answers.
    await h.fresh({ server: { auth_rate_limit: 3 } });
    const reply = await h.call('POST', '/v1/init', {
      json: { password: 'correct horse battery staple' },
    });
    assert.equal(reply.status, 200);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const login = await h.call('POST', '/v1/auth/login', {
        json: { username: 'alice', password: devUser('alice').password },
      });
      statuses.push(login.status);
      if (login.status === 200)
        h.secret((login.body as { token: string }).token);
    }
    assert.deepEqual(statuses, [200, 200, 200, 429]);
    for (let i = 0; i < 3; i++) {
      const unseal = await h.call('POST', '/v1/unseal', {
        json: { password: 'correct horse battery staple' },
      });
      assert.equal(unseal.status, 200);
    }
    const unseal = await h.call('POST', '/v1/unseal', {
      json: { password: 'correct horse battery staple' },
    });
    assert.equal(unseal.status, 429);
    assert.equal((await h.call('GET', '/v1/status')).status, 200);
  });
});
