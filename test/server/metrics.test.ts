// GET /v1/metrics on the real server: who may read it, what it exports,
// labels that are route templates rather than request values, public
// metrics by configuration, and no credential anywhere in the text.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';

import { DEV_USERS } from '../fixtures/identity-process.js';
import { PASSWORD } from '../keyworker/vault-scratch.js';
import { errorOf, Harness } from './harness.js';

type Labels = Readonly<Record<string, string>>;

/**
 * sample returns the value of the series name with exactly these labels,
 * in whatever order the text lists them, or undefined when it is absent.
 */
function sample(text: string, name: string, labels: Labels = {}): unknown {
  const wanted = JSON.stringify(Object.entries(labels).sort());
  for (const line of text.split('\n')) {
    const match = /^([a-z_:]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (match?.[1] !== name) continue;
    const found = [...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map(
      ([, key = '', value = '']) => [key, value],
    );
    if (JSON.stringify(found.sort()) === wanted) return Number(match[3]);
  }
  return undefined;
}

const REQUESTS = 'metacrypt_http_requests_total';
const SEAL_STATE = 'metacrypt_seal_state';

describe('metrics', () => {
  let h: Harness;

  before(async () => {
    h = await Harness.start();
  });

  after(async () => {
    await h.close();
  });

  beforeEach(async () => {
    await h.fresh();
  });

  async function metricsText(token?: string): Promise<string> {
    const reply = await h.call(
      'GET',
      '/v1/metrics',
      token === undefined ? {} : { token },
    );
    assert.equal(reply.status, 200, reply.text);
    assert.match(String(reply.headers['content-type']), /^text\/plain/);
    return reply.text;
  }

  it('answers 401 without a token, 403 to a user, 200 to an admin', async () => {
    await h.init();
    const anonymous = await h.call('GET', '/v1/metrics');
    assert.equal(anonymous.status, 401);
    assert.equal(errorOf(anonymous).code, 'unauthenticated');
    const alice = await h.call('GET', '/v1/metrics', {
      token: await h.login('alice'),
    });
    assert.equal(alice.status, 403);
    assert.equal(errorOf(alice).code, 'forbidden');
    const text = await metricsText(await h.login('admin'));
    assert.match(text, /^# TYPE metacrypt_http_requests_total counter$/m);
  });

  it('exports requests, latency, seal state and worker round trips', async () => {
    await h.init();
    const text = await metricsText(await h.login('admin'));
    const init = { method: 'POST', route: '/v1/init' };
    assert.equal(sample(text, REQUESTS, { ...init, status: '200' }), 1);
    assert.equal(
      sample(text, 'metacrypt_http_request_duration_seconds_count', init),
      1,
    );
    assert.equal(
      typeof sample(text, 'metacrypt_http_request_duration_seconds_bucket', {
        ...init,
        le: '0.001',
      }),
      'number',
    );
    assert.equal(sample(text, SEAL_STATE, { state: 'unsealed' }), 1);
    assert.equal(sample(text, SEAL_STATE, { state: 'sealed' }), 0);
    assert.equal(
      sample(text, 'metacrypt_key_worker_round_trip_seconds_count', {
        op: 'init',
        outcome: 'ok',
      }),
      1,
    );
    assert.match(text, /^# TYPE metacrypt_unseal_failures_total counter$/m);
  });

  it('counts a wrong unseal, and not a right one', async () => {
    await h.init();
    const admin = await h.login('admin');
    const failures = async (): Promise<unknown> =>
      sample(await metricsText(admin), 'metacrypt_unseal_failures_total');
    assert.equal(await failures(), 0);
    await h.call('POST', '/v1/seal', { token: admin });
    const wrong = await h.call('POST', '/v1/unseal', {
      json: { password: 'not the seal password' },
    });
    assert.equal(wrong.status, 401);
    assert.equal(await failures(), 1);
    await h.unseal();
    assert.equal(await failures(), 1);
    const text = await metricsText(admin);
    assert.equal(sample(text, SEAL_STATE, { state: 'unsealed' }), 1);
  });

  it('does not count wrong rekey or rotate-mek passwords as unseal failures', async () => {
    await h.init();
    const admin = await h.login('admin');
    const failures = async (): Promise<unknown> =>
      sample(await metricsText(admin), 'metacrypt_unseal_failures_total');
    const rekey = await h.call('POST', '/v1/rekey', {
      token: admin,
      json: { old_password: 'not the password', new_password: PASSWORD },
    });
    assert.equal(rekey.status, 401);
    const rotate = await h.call('POST', '/v1/barrier/rotate-mek', {
      token: admin,
      json: { password: 'not the password' },
    });
    assert.equal(rotate.status, 401);
    assert.equal(await failures(), 0);
    assert.ok(h.logLines.some((line) => line.includes('"rekey refused"')));
  });

  it('answers an admin while sealed', async () => {
    await h.init();
    const admin = await h.login('admin');
    await h.call('POST', '/v1/seal', { token: admin });
    const text = await metricsText(admin);
    assert.equal(sample(text, SEAL_STATE, { state: 'sealed' }), 1);
    assert.equal(sample(text, SEAL_STATE, { state: 'unsealed' }), 0);
  });

  it('labels requests with the route template, never the id', async () => {
    await h.init();
    const admin = await h.login('admin');
    const created = await h.call('POST', '/v1/policy/rules', {
      token: admin,
      json: { id: 'some-id', priority: 10, effect: 'allow' },
    });
    assert.equal(created.status, 201, created.text);
    const read = await h.call('GET', '/v1/policy/rule/some-id', {
      token: admin,
    });
    assert.equal(read.status, 200, read.text);
    const missing = await h.call('GET', '/v1/policy/rule/other-id', {
      token: admin,
    });
    assert.equal(missing.status, 404);

    const text = await metricsText(admin);
    assert.equal(
      sample(text, REQUESTS, {
        method: 'GET',
        route: '/v1/policy/rule/:id',
        status: '200',
      }),
      1,
    );
    // An error reply is labelled with the whole template too.
    assert.equal(
      sample(text, REQUESTS, {
        method: 'GET',
        route: '/v1/policy/rule/:id',
        status: '404',
      }),
      1,
    );
    assert.ok(!text.includes('some-id'));
    assert.ok(!text.includes('other-id'));
  });

  it('labels requests no route took as unmatched', async () => {
    await h.fresh({ server: { metrics_public: true } });
    for (const path of ['/v1/no-such-thing-42', '/elsewhere-43']) {
      assert.equal((await h.call('GET', path)).status, 404);
    }
    const text = await metricsText();
    assert.equal(
      sample(text, REQUESTS, {
        method: 'GET',
        route: 'unmatched',
        status: '404',
      }),
      2,
    );
    assert.ok(!text.includes('no-such-thing-42'));
    assert.ok(!text.includes('elsewhere-43'));
  });

  it('answers anyone when metrics_public is set, sealed too', async () => {
    await h.fresh({ server: { metrics_public: true } });
    const before = await metricsText();
    assert.equal(sample(before, SEAL_STATE, { state: 'uninitialized' }), 1);
    await h.init();
    await h.call('POST', '/v1/seal', { token: await h.login('admin') });
    const sealed = await metricsText();
    assert.equal(sample(sealed, SEAL_STATE, { state: 'sealed' }), 1);
  });

  it('carries no token or password', async () => {
    await h.init();
    const admin = await h.login('admin');
    const alice = await h.login('alice');
    const wrongPassword = 'wrong-seal-password-canary';
    h.secret(wrongPassword);
    await h.call('GET', '/v1/auth/tokeninfo', { token: alice });
    await h.call('GET', '/v1/metrics', { token: alice });
    await h.call('POST', '/v1/auth/login', {
      json: { username: 'alice', password: wrongPassword },
    });
    await h.call('POST', '/v1/seal', { token: admin });
    await h.call('POST', '/v1/unseal', { json: { password: wrongPassword } });
    await h.unseal();

    const text = await metricsText(admin);
    const secrets = [
      PASSWORD,
      wrongPassword,
      admin,
      alice,
      ...DEV_USERS.map((user) => user.password),
    ];
    for (const secret of secrets) {
      assert.ok(!text.includes(secret), 'a secret is in the metrics');
    }
    assert.ok(!/bearer/i.test(text));
  });
});
