// The vault's own endpoints through the real HTTPS server: status in every
// state, init once, unseal with its lockout, and seal, rekey and the
// keyring for admins only.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';

import { PASSWORD } from '../keyworker/vault-scratch.js';
import { errorOf, Harness } from './harness.js';

describe('sys routes', () => {
  let h: Harness;

  before(async () => {
    h = await Harness.start({
      worker: {
        limiter: { maxFailures: 5, windowMs: 60_000, lockoutMs: 1_500 },
      },
    });
  });

  after(async () => {
    await h.close();
  });

  beforeEach(async () => {
    await h.fresh();
  });

  it('answers status 200 in every state', async () => {
    const state = async (): Promise<unknown> => {
      const reply = await h.call('GET', '/v1/status');
      assert.equal(reply.status, 200);
      return reply.body;
    };
    assert.deepEqual(await state(), { state: 'uninitialized' });
    await h.init();
    assert.deepEqual(await state(), { state: 'unsealed' });
    const admin = await h.login('admin');
    assert.equal(
      (await h.call('POST', '/v1/seal', { token: admin })).status,
      200,
    );
    assert.deepEqual(await state(), { state: 'sealed' });
    await h.restart();
    assert.deepEqual(await state(), { state: 'sealed' });
    await h.unseal();
    assert.deepEqual(await state(), { state: 'unsealed' });
  });

  it('answers health in every state', async () => {
    const reply = await h.call('GET', '/v1/health');
    assert.equal(reply.status, 200);
    assert.deepEqual(reply.body, { status: 'ok' });
  });

  it('initializes once, refusing a short password and a second init', async () => {
    const short = await h.call('POST', '/v1/init', {
      json: { password: 'short' },
    });
    assert.equal(short.status, 400);
    assert.deepEqual(errorOf(short), {
      error: 'password must be at least 12 characters',
      code: 'password_too_short',
    });
    const missing = await h.call('POST', '/v1/init', { json: {} });
    assert.equal(missing.status, 400);
    assert.deepEqual(errorOf(missing), {
      error: 'password: is required',
      code: 'bad_request',
    });
    await h.init();
    const again = await h.call('POST', '/v1/init', {
      json: { password: PASSWORD },
    });
    assert.equal(again.status, 409);
    assert.deepEqual(errorOf(again), {
      error: 'already initialized',
      code: 'already_initialized',
    });
  });

  it('unseals with the right password and locks after five wrong ones', async () => {
    const before = await h.call('POST', '/v1/unseal', {
      json: { password: PASSWORD },
    });
    assert.equal(before.status, 412);
    assert.deepEqual(errorOf(before), {
      error: 'not initialized',
      code: 'not_initialized',
    });
    await h.init();
    await h.call('POST', '/v1/seal', { token: await h.login('admin') });
    for (let i = 0; i < 5; i++) {
      const wrong = await h.call('POST', '/v1/unseal', {
        json: { password: `wrong password ${String(i)}` },
      });
      assert.equal(wrong.status, 401);
      assert.deepEqual(errorOf(wrong), {
        error: 'invalid password',
        code: 'invalid_password',
      });
    }
    const locked = await h.call('POST', '/v1/unseal', {
      json: { password: PASSWORD },
    });
    assert.equal(locked.status, 429);
    assert.equal(errorOf(locked).code, 'too_many_attempts');
    assert.match(
      errorOf(locked).error,
      /^too many attempts: try again in \d+ seconds$/,
    );
    assert.match(String(locked.headers['retry-after']), /^\d+$/);
  });
});
