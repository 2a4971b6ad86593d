// The web UI's defences through the real HTTPS server: CSRF tokens on
// every post, admin actions refused to users, cookie attributes, and
// sessions that end at logout and at a seal for good.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { CSRF_COOKIE, SESSION_COOKIE } from '../../../src/server/ui/cookies.js';
import { Harness } from '../harness.js';
import { UiClient } from './ui-client.js';

describe('web UI security', () => {
  let h: Harness;
  let adminToken: string;

  before(async () => {
    ({ h, admin: adminToken } = await Harness.startReady());
    const mount = await h.call('POST', '/v1/engine/mount', {
      token: adminToken,
      json: { name: 'transit', type: 'transit' },
    });
    assert.equal(mount.status, 201, mount.text);
  });

  after(async () => {
    await h.close();
  });

  it('sets session and CSRF cookies HttpOnly, Secure, SameSite=Strict', async () => {
    const ui = new UiClient(h);
    await ui.login('alice');
    const set = (name: string): string[] =>
      ui.setCookies.filter((line) => line.startsWith(`${name}=`));
    const session = set(SESSION_COOKIE);
    assert.equal(session.length, 1);
    const csrf = set(CSRF_COOKIE);
    assert.ok(csrf.length >= 1);
    for (const line of [...session, ...csrf]) {
      const attributes = line.split(/;\s*/).slice(1).sort();
      assert.deepEqual(attributes, [
        'HttpOnly',
        'Path=/',
        'SameSite=Strict',
        'Secure',
      ]);
    }
  });

  it('refuses a post without a valid CSRF token with 403', async () => {
    const ui = new UiClient(h);
    await ui.login('admin');
    const mount = { name: 'forged', type: 'transit' };

    // Step 1: missing, empty, altered or not matching the cookie.
    const forged = `${'A'.repeat(43)}.${'B'.repeat(43)}`;
    const altered = `${ui.csrf.slice(0, -1)}${ui.csrf.endsWith('A') ? 'B' : 'A'}`;
    for (const csrf of [false, '', altered, forged] as const) {
      const reply = await ui.post('/dashboard/mount', mount, { csrf });
      assert.equal(reply.status, 403, String(csrf));
      assert.match(reply.text, /form expired: reload the page and try again/);
    }
    const cookie = ui.cookies.get(CSRF_COOKIE) ?? '';
    ui.cookies.set(CSRF_COOKIE, forged);
    const planted = await ui.post('/dashboard/mount', mount, { csrf: forged });
    assert.equal(planted.status, 403);
    ui.cookies.set(CSRF_COOKIE, cookie);

    // Step 2: a token made for another session, with its own cookie.
    const alice = new UiClient(h);
    await alice.login('alice');
    ui.cookies.set(CSRF_COOKIE, alice.cookies.get(CSRF_COOKIE) ?? '');
    const stolen = await ui.post('/dashboard/mount', mount, {
      csrf: alice.csrf,
    });
    assert.equal(stolen.status, 403);
    ui.cookies.set(CSRF_COOKIE, cookie);

    // Step 3: a form before login is checked too.
    const anonymous = new UiClient(h);
    await anonymous.get('/login');
    const login = await anonymous.post(
      '/login',
      { username: 'admin', password: 'x' },
      { csrf: false },
    );
    assert.equal(login.status, 403);

    // Step 4: nothing was mounted; the right token, as a header, works.
    const mounts = await h.call('GET', '/v1/engine/mounts', {
      token: adminToken,
    });
    assert.doesNotMatch(mounts.text, /forged/);
    const ok = await ui.post('/dashboard/mount', mount, {
      csrf: false,
      headers: { 'x-csrf-token': ui.csrf },
    });
    assert.equal(ok.status, 303);
    await h.call('POST', '/v1/engine/unmount', {
      token: adminToken,
      json: { name: 'forged' },
    });
  });

  it('shows a user no admin controls and refuses their admin posts', async () => {
    const ui = new UiClient(h);
    await ui.login('alice');
    const page = await ui.get('/dashboard');
    assert.equal(page.status, 200);
    assert.match(page.text, /Transit: transit/);
    for (const admin of [
      '/dashboard/mount',
      '/dashboard/unmount',
      '/dashboard/rules',
      '/dashboard/seal',
      'create-key',
    ]) {
      assert.ok(!page.text.includes(admin), admin);
    }

    const posts: [string, Record<string, string>][] = [
      ['/dashboard/mount', { name: 'mine', type: 'transit' }],
      ['/dashboard/unmount', { name: 'transit' }],
      ['/dashboard/rules', { id: 'r', priority: '1', effect: 'allow' }],
      ['/dashboard/rules/delete', { id: 'r' }],
      ['/dashboard/seal', {}],
      ['/dashboard/transit/transit/create-key', { name: 'k' }],
    ];
    for (const [path, fields] of posts) {
      const reply = await ui.post(path, fields);
      assert.equal(reply.status, 403, path);
      assert.match(reply.text, /role="alert">forbidden</, path);
    }
    assert.equal((await ui.get('/dashboard/seal')).status, 403);
    const status = await h.call('GET', '/v1/status');
    assert.deepEqual(status.body, { state: 'unsealed' });
    const mounts = await h.call('GET', '/v1/engine/mounts', {
      token: adminToken,
    });
    assert.doesNotMatch(mounts.text, /"mine"/);
  });

  it('logs out: the token ends at MCIAS and both cookies are cleared', async () => {
    const ui = new UiClient(h);
    await ui.login('alice');
    const token = ui.sessionToken;
    const before = await h.call('GET', '/v1/auth/tokeninfo', { token });
    assert.equal(before.status, 200);

    const reply = await ui.post('/logout');
    assert.equal(reply.status, 303);
    assert.equal(reply.headers.location, '/login');
    assert.equal(ui.cookies.has(SESSION_COOKIE), false);
    const gone = await h.call('GET', '/v1/auth/tokeninfo', { token });
    assert.equal(gone.status, 401);
    assert.equal((await ui.get('/dashboard')).headers.location, '/login');
  });

  it('never accepts a session cookie from before a seal, even after unseal', async () => {
    const ui = new UiClient(h);
    await ui.login('admin');
    const stale = new Map(ui.cookies);
    const token = ui.sessionToken;

    // Step 1: seal and unseal through the API, not the UI.
    await h.call('POST', '/v1/seal', { token: adminToken });
    await h.unseal();

    // Step 2: the old cookie opens nothing; its token was ended.
    const reply = await ui.get('/dashboard');
    assert.equal(reply.status, 303);
    assert.equal(reply.headers.location, '/login');
    assert.equal(ui.cookies.has(SESSION_COOKIE), false);
    const info = await h.call('GET', '/v1/auth/tokeninfo', { token });
    assert.equal(info.status, 401);

    // Step 3: sent again, with its own CSRF token, it is still refused.
    for (const [name, value] of stale) ui.cookies.set(name, value);
    const again = await ui.post('/dashboard/mount', {
      name: 'late',
      type: 'transit',
    });
    assert.equal(again.status, 303);
    assert.equal(again.headers.location, '/login');
    const mounts = await h.call('GET', '/v1/engine/mounts', {
      token: adminToken,
    });
    assert.doesNotMatch(mounts.text, /"late"/);
  });

  it('ends the session of the admin who seals through the UI', async () => {
    const ui = new UiClient(h);
    await ui.login('admin');
    const token = ui.sessionToken;
    const sealed = await ui.post('/dashboard/seal');
    assert.equal(sealed.status, 303);
    assert.equal(sealed.headers.location, '/unseal');
    assert.equal(ui.cookies.has(SESSION_COOKIE), false);
    await h.unseal();
    const info = await h.call('GET', '/v1/auth/tokeninfo', { token });
    assert.equal(info.status, 401);
    assert.equal((await ui.get('/')).headers.location, '/login');
  });
});
