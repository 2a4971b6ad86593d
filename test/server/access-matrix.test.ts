// Every endpoint's answer to callers it must refuse: before init, while
// sealed, without a token, with a bad token, and as a non-admin.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { errorOf, Harness } from './harness.js';

type Who = 'anyone' | 'user' | 'admin';

interface Endpoint {
  readonly method: string;
  readonly path: string;
  readonly who: Who;
  /** Answers without keys: not behind the seal gate. */
  readonly ungated?: boolean;
  readonly json?: unknown;
}

const ENDPOINTS: readonly Endpoint[] = [
  { method: 'POST', path: '/v1/seal', who: 'admin' },
  {
    method: 'POST',
    path: '/v1/rekey',
    who: 'admin',
    json: { old_password: 'x', new_password: 'y' },
  },
  { method: 'GET', path: '/v1/barrier/keys', who: 'admin' },
  {
    method: 'POST',
    path: '/v1/barrier/rotate-mek',
    who: 'admin',
    json: { password: 'x' },
  },
  {
    method: 'POST',
    path: '/v1/barrier/rotate-key',
    who: 'admin',
    json: { key_id: 'system' },
  },
  {
    method: 'POST',
    path: '/v1/auth/login',
    who: 'anyone',
    json: { username: 'alice', password: 'x' },
  },
  { method: 'POST', path: '/v1/auth/logout', who: 'user' },
  { method: 'GET', path: '/v1/auth/tokeninfo', who: 'user' },
  { method: 'GET', path: '/v1/engine/types', who: 'user' },
  { method: 'GET', path: '/v1/engine/mounts', who: 'user' },
  {
    method: 'POST',
    path: '/v1/engine/mount',
    who: 'admin',
    json: { name: 'm', type: 'notes' },
  },
  {
    method: 'POST',
    path: '/v1/engine/unmount',
    who: 'admin',
    json: { name: 'm' },
  },
  {
    method: 'POST',
    path: '/v1/engine/request',
    who: 'user',
    json: { mount: 'm', operation: 'list', data: {} },
  },
  { method: 'GET', path: '/v1/policy/rules', who: 'admin' },
  {
    method: 'POST',
    path: '/v1/policy/rules',
    who: 'admin',
    json: { id: 'r', priority: 1, effect: 'allow' },
  },
  { method: 'GET', path: '/v1/policy/rule/r', who: 'admin' },
  {
    method: 'PUT',
    path: '/v1/policy/rule/r',
    who: 'admin',
    json: { priority: 1, effect: 'allow' },
  },
  { method: 'DELETE', path: '/v1/policy/rule/r', who: 'admin' },
  { method: 'GET', path: '/v1/metrics', who: 'admin', ungated: true },
];

const gated = ENDPOINTS.filter((e) => e.ungated !== true);
const guarded = ENDPOINTS.filter((e) => e.who !== 'anyone');
const adminOnly = ENDPOINTS.filter((e) => e.who === 'admin');

describe('access matrix', () => {
  let h: Harness;
  let admin: string;
  let alice: string;

  before(async () => {
    h = await Harness.start();
  });

  after(async () => {
    await h.close();
  });

  async function expect(
    endpoint: Endpoint,
    status: number,
    code: string,
    token?: string,
  ): Promise<void> {
    const reply = await h.call(endpoint.method, endpoint.path, {
      ...(endpoint.json === undefined ? {} : { json: endpoint.json }),
      ...(token === undefined ? {} : { token }),
    });
    const label = `${endpoint.method} ${endpoint.path}`;
    assert.equal(reply.status, status, `${label}: ${reply.text}`);
    assert.equal(errorOf(reply).code, code, label);
  }

  it('answers 412 not initialized before init, except the ungated', async () => {
    for (const endpoint of gated) {
      await expect(endpoint, 412, 'not_initialized');
    }
  });

  it('answers 401 without a token, and the status anyway', async () => {
    await h.init();
    admin = await h.login('admin');
    alice = await h.login('alice');
    for (const endpoint of guarded) {
      await expect(endpoint, 401, 'unauthenticated');
    }
    assert.equal((await h.call('GET', '/v1/status')).status, 200);
  });

  it('answers 401 to a malformed, unknown or foreign token', async () => {
    const bad = [
      'not-a-token',
      `${admin.slice(0, -4)}AAAA`,
      'eyJhbGciOiJub25lIn0.e30.',
    ];
    for (const token of bad) {
      for (const endpoint of guarded) {
        await expect(endpoint, 401, 'unauthenticated', token);
      }
    }
    for (const header of ['Basic YWxpY2U6eA==', 'Bearer', 'Bearer  ', admin]) {
      const reply = await h.call('GET', '/v1/auth/tokeninfo', {
        headers: { authorization: header },
      });
      assert.equal(reply.status, 401, header.slice(0, 12));
    }
  });

  it('answers 403 forbidden to a non-admin on every admin endpoint', async () => {
    for (const endpoint of adminOnly) {
      await expect(endpoint, 403, 'forbidden', alice);
    }
    const warned = h.logLines.filter((line) =>
      line.includes('admin operation refused'),
    );
    assert.ok(warned.length >= adminOnly.length - 1, String(warned.length));
    assert.ok(warned.every((line) => line.includes('"user":"alice"')));
  });

  it('answers 503 sealed while sealed, to admins too, except the ungated', async () => {
    const seal = await h.call('POST', '/v1/seal', { token: admin });
    assert.deepEqual(seal.body, { state: 'sealed' });
    for (const endpoint of gated) {
      await expect(endpoint, 503, 'sealed', admin);
      await expect(endpoint, 503, 'sealed');
    }
    const metrics = await h.call('GET', '/v1/metrics', { token: admin });
    assert.equal(metrics.status, 200);
    assert.equal((await h.call('GET', '/v1/status')).status, 200);
    assert.equal((await h.call('GET', '/v1/health')).status, 200);
  });
});
