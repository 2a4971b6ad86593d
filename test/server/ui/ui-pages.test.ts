// The web UI's pages through the real HTTPS server: where each state
// sends a visitor, the forms and their inline refusals, fragments for
// htmx and whole pages for plain posts, and the headers every page has.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';

import { decodeBase32, totpCode } from '../../../src/dev-identity/index.js';
import { UI_CONTENT_SECURITY_POLICY } from '../../../src/server/ui/page-headers.js';
import { httpsRequest } from '../../fixtures/https-request.js';
import { DEV_TOTP_SECRET, devUser } from '../../fixtures/identity-process.js';
import { PASSWORD } from '../../keyworker/vault-scratch.js';
import { Harness } from '../harness.js';
import { UiClient } from './ui-client.js';

describe('web UI pages', () => {
  let h: Harness;

  before(async () => {
    h = await Harness.start({
      worker: {
        limiter: { maxFailures: 2, windowMs: 60_000, lockoutMs: 60_000 },
      },
    });
  });

  after(async () => {
    await h.close();
  });

  beforeEach(async () => {
    await h.fresh();
  });

  it('sends a visitor to init, unseal, login or the dashboard by state', async () => {
    const ui = new UiClient(h);
    const home = async (): Promise<string | undefined> => {
      const reply = await ui.get('/');
      assert.equal(reply.status, 303);
      return reply.headers.location;
    };
    assert.equal(await home(), '/init');
    assert.equal((await ui.get('/dashboard')).headers.location, '/init');

    await ui.init();
    assert.equal(await home(), '/login');
    assert.equal((await ui.get('/init')).headers.location, '/login');
    assert.equal((await ui.get('/dashboard')).headers.location, '/login');

    await ui.login('admin');
    assert.equal(await home(), '/dashboard');
    assert.equal((await ui.get('/login')).headers.location, '/dashboard');

    const admin = await h.login('admin');
    await h.call('POST', '/v1/seal', { token: admin });
    assert.equal(await home(), '/unseal');
    assert.equal((await ui.get('/dashboard')).headers.location, '/unseal');
    assert.equal((await ui.get('/login')).headers.location, '/unseal');
  });

  it('shows the minimum length and the warning on init, and refuses inline', async () => {
    const ui = new UiClient(h);
    const page = await ui.get('/init');
    assert.equal(page.status, 200);
    assert.match(page.text, /At least 12\s+characters/);
    assert.match(page.text, /there is no\s+recovery/);
    assert.match(page.text, /<label for="init-password">/);

    const differ = await ui.post('/init', {
      password: PASSWORD,
      confirm: `${PASSWORD}!`,
    });
    assert.equal(differ.status, 400);
    assert.match(differ.text, /role="alert">the passwords differ</);
    assert.match(differ.text, /action="\/init"/);

    const short = await ui.post('/init', {
      password: 'too short',
      confirm: 'too short',
    });
    assert.equal(short.status, 400);
    assert.match(short.text, /password must be at least 12 characters/);
    assert.equal(
      (await h.call('GET', '/v1/status')).text,
      '{"state":"uninitialized"}',
    );
  });

  it('shows a wrong unseal password inline, then the lockout and its seconds', async () => {
    const ui = new UiClient(h);
    await ui.init();
    const admin = await h.login('admin');
    await h.call('POST', '/v1/seal', { token: admin });

    await ui.get('/unseal');
    for (let i = 0; i < 2; i++) {
      const wrong = await ui.post('/unseal', { password: 'not the password' });
      assert.equal(wrong.status, 401);
      assert.match(wrong.text, /role="alert">invalid password</);
    }
    const locked = await ui.post('/unseal', { password: PASSWORD });
    assert.equal(locked.status, 429);
    assert.match(locked.text, /unsealing\s+is locked/);
    const seconds = /Try again in (\d+) seconds/.exec(locked.text)?.[1];
    assert.ok(seconds !== undefined, locked.text);
    assert.ok(Number(seconds) > 0 && Number(seconds) <= 60);
    assert.equal(locked.headers['retry-after'], seconds);

    const again = await ui.get('/unseal');
    assert.match(again.text, /Try again in \d+ seconds/);
    const status = await h.call('GET', '/v1/status');
    assert.deepEqual(status.body, { state: 'sealed' });
  });

  it('refuses bad credentials inline, keeping the username', async () => {
    const ui = new UiClient(h);
    await ui.init();
    await ui.get('/login');
    const reply = await ui.post('/login', {
      username: 'alice',
      password: 'not-alices-password',
    });
    assert.equal(reply.status, 401);
    assert.match(reply.text, /role="alert">invalid credentials</);
    assert.match(reply.text, /name="username"[^>]* value="alice"/);
    assert.doesNotMatch(reply.text, /not-alices-password/);
  });

  it('logs in with a TOTP code when the account has one', async () => {
    const ui = new UiClient(h);
    await ui.init();
    await ui.get('/login');
    const secret = decodeBase32(DEV_TOTP_SECRET);
    assert.ok(secret !== undefined);
    const reply = await ui.post('/login', {
      username: 'tess',
      password: devUser('tess').password,
      totp_code: totpCode(secret, Date.now()),
    });
    assert.equal(reply.status, 303, reply.text);
    assert.equal(reply.headers.location, '/dashboard');
    const page = await ui.get('/dashboard');
    assert.match(page.text, /tess\s+\(user\)/);
  });

  it('answers htmx with fragments and plain posts with whole pages', async () => {
    const ui = new UiClient(h);
    await ui.init();
    await ui.login('admin');

    // Step 1: a mount; htmx gets the engines section, a post a redirect.
    const fragment = await ui.post(
      '/dashboard/mount',
      { name: 'transit', type: 'transit' },
      { htmx: true },
    );
    assert.equal(fragment.status, 200);
    assert.match(fragment.text, /^<section id="engines"/);
    assert.doesNotMatch(fragment.text, /<html|<head/);
    assert.match(fragment.text, /mounted transit \(transit\)/);
    const plain = await ui.post('/dashboard/mount', {
      name: 'second',
      type: 'transit',
    });
    assert.equal(plain.status, 303);
    assert.equal(plain.headers.location, '/dashboard#engines');

    // Step 2: a refusal; inline in the fragment, or in the whole page.
    const refusedFragment = await ui.post(
      '/dashboard/mount',
      { name: 'transit', type: 'transit' },
      { htmx: true },
    );
    assert.equal(refusedFragment.status, 409);
    assert.match(refusedFragment.text, /^<section id="engines"/);
    assert.match(
      refusedFragment.text,
      /role="alert">mount transit already exists/,
    );
    const refusedPage = await ui.post('/dashboard/mount', {
      name: 'transit',
      type: 'transit',
    });
    assert.equal(refusedPage.status, 409);
    assert.match(refusedPage.text, /^<!doctype html>/);
    assert.match(refusedPage.text, /role="alert">mount transit already exists/);
    assert.match(refusedPage.text, /value="transit"/);

    // Step 3: a result; shown in the fragment, or in the whole page.
    await ui.post('/dashboard/transit/transit/create-key', { name: 'k1' });
    const encrypted = await ui.post(
      '/dashboard/transit/transit/encrypt',
      { key: 'k1', plaintext: 'hello' },
      { htmx: true },
    );
    assert.equal(encrypted.status, 200);
    assert.match(encrypted.text, /^<section id="engines"/);
    const ciphertext = /id="encrypt-transit-result"[^>]*>([^<]+)</.exec(
      encrypted.text,
    )?.[1];
    assert.ok(ciphertext?.startsWith('metacrypt:v1:'), encrypted.text);
    const decrypted = await ui.post('/dashboard/transit/transit/decrypt', {
      key: 'k1',
      ciphertext: ciphertext ?? '',
    });
    assert.equal(decrypted.status, 200);
    assert.match(decrypted.text, /^<!doctype html>/);
    assert.match(decrypted.text, /id="decrypt-transit-result"[^>]*>hello</);

    // Step 4: a refusal from a form the page lacks goes to #flash.
    const gone = await ui.post(
      '/dashboard/transit/nosuch/encrypt',
      { key: 'k1', plaintext: 'x' },
      { htmx: true },
    );
    assert.equal(gone.status, 404);
    assert.equal(gone.headers['hx-retarget'], '#flash');
    assert.match(
      gone.text,
      /^<p class="error" role="alert">mount nosuch not found/,
    );

    // Step 5: the seal button's confirmation step.
    const confirm = await ui.get('/dashboard/seal', { htmx: true });
    assert.match(confirm.text, /^<div id="seal-confirm"/);
    const confirmPage = await ui.get('/dashboard/seal');
    assert.match(confirmPage.text, /^<!doctype html>/);
    assert.match(confirmPage.text, /Seal the vault now\?/);
    const sealed = await ui.post('/dashboard/seal', {}, { htmx: true });
    assert.equal(sealed.status, 200);
    assert.equal(sealed.headers['hx-redirect'], '/unseal');
  });

  it('creates and deletes rules, and unmounts, showing each outcome', async () => {
    const ui = new UiClient(h);
    await ui.init();
    await ui.login('admin');
    await ui.post('/dashboard/mount', { name: 'transit', type: 'transit' });

    // Step 1: a bad rule is refused in its form, the fields kept.
    const bad = await ui.post(
      '/dashboard/rules',
      { id: 'users', priority: 'soon', effect: 'allow', roles: 'user' },
      { htmx: true },
    );
    assert.equal(bad.status, 400);
    assert.match(bad.text, /^<section id="policy"/);
    assert.match(
      bad.text,
      /role="alert">policy: priority: must be a whole number/,
    );
    assert.match(bad.text, /id="rule-roles"[^>]*value="user"/);

    // Step 2: a good one is listed; a plain post is redirected.
    const good = await ui.post('/dashboard/rules', {
      id: 'users',
      priority: '10',
      effect: 'allow',
      roles: 'user, ops',
      resources: 'engine/transit/*',
      actions: ['encrypt', 'decrypt'],
    });
    assert.equal(good.status, 303);
    assert.equal(good.headers.location, '/dashboard#policy');
    const rules = await h.call('GET', '/v1/policy/rules', {
      token: await h.login('admin'),
    });
    assert.deepEqual(rules.body, {
      rules: [
        {
          id: 'users',
          priority: 10,
          effect: 'allow',
          usernames: [],
          roles: ['user', 'ops'],
          resources: ['engine/transit/*'],
          actions: ['encrypt', 'decrypt'],
        },
      ],
    });
    const page = await ui.get('/dashboard');
    assert.match(page.text, /<tr id="rule-users">/);

    // Step 3: delete the rule, then the mount.
    const deleted = await ui.post(
      '/dashboard/rules/delete',
      { id: 'users' },
      { htmx: true },
    );
    assert.match(deleted.text, /role="status">rule users deleted/);
    assert.doesNotMatch(deleted.text, /rule-users/);
    const unmounted = await ui.post(
      '/dashboard/unmount',
      { name: 'transit' },
      { htmx: true },
    );
    assert.match(unmounted.text, /role="status">unmounted transit/);
    assert.match(unmounted.text, /Nothing is mounted yet/);
  });

  it('shows a logout page, and refuses a form over the size limit', async () => {
    const ui = new UiClient(h);
    await ui.init();
    assert.equal((await ui.get('/logout')).headers.location, '/login');
    await ui.login('alice');
    const page = await ui.get('/logout');
    assert.equal(page.status, 200);
    assert.match(page.text, /action="\/logout"/);

    const big = await ui.post('/dashboard/transit/transit/encrypt', {
      key: 'k1',
      plaintext: 'x'.repeat(1024 * 1024),
    });
    assert.equal(big.status, 413);
    assert.match(big.text, /request too large: the limit is 1048576 bytes/);
  });

  it('sends its own Content-Security-Policy, with no inline script or eval', async () => {
    const ui = new UiClient(h);
    for (const path of ['/init', '/static/app.css']) {
      const reply = await ui.get(path);
      const csp = String(reply.headers['content-security-policy']);
      assert.equal(csp, UI_CONTENT_SECURITY_POLICY);
      assert.match(csp, /(^|; )script-src 'self'(;|$)/);
      assert.match(csp, /(^|; )style-src 'self'(;|$)/);
      assert.match(csp, /frame-ancestors 'none'/);
      assert.match(csp, /form-action 'self'/);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/);
      assert.equal(reply.headers['x-frame-options'], 'DENY');
    }
    // The API's replies keep the headers they had.
    const api = await h.call('GET', '/v1/status');
    assert.notEqual(
      api.headers['content-security-policy'],
      UI_CONTENT_SECURITY_POLICY,
    );
    assert.equal(api.headers['x-frame-options'], 'SAMEORIGIN');
  });

  it('loads only its own script and stylesheet, with no inline code', async () => {
    const ui = new UiClient(h);
    const page = await ui.get('/init');
    const scripts = [...page.text.matchAll(/<script([^>]*)>/g)].map(
      (m) => m[1],
    );
    assert.deepEqual(scripts, [' src="/static/htmx.min.js" defer']);
    assert.doesNotMatch(page.text, /<style|style="| on[a-z]+="/);
    assert.match(
      page.text,
      /<meta name="htmx-config" content="[^"]*allowEval&#34;:false/,
    );
    assert.match(page.text, /includeIndicatorStyles&#34;:false/);

    const css = await httpsRequest(`${h.url}/static/app.css`);
    assert.equal(css.status, 200);
    assert.match(String(css.headers['content-type']), /^text\/css/);
    const htmx = await httpsRequest(`${h.url}/static/htmx.min.js`);
    assert.equal(htmx.status, 200);
    assert.match(String(htmx.headers['content-type']), /javascript/);
    assert.match(htmx.text, /htmx/);
  });

  it('gives every input a label', async () => {
    const ui = new UiClient(h);
    const pages = [(await ui.get('/init')).text];
    await ui.init();
    pages.push((await ui.get('/login')).text);
    await ui.login('admin');
    await ui.post('/dashboard/mount', { name: 'transit', type: 'transit' });
    await ui.post('/dashboard/transit/transit/create-key', { name: 'k1' });
    pages.push((await ui.get('/dashboard')).text);
    for (const html of pages) {
      const controls = html.matchAll(
        /<(input|select|textarea)\b(?![^>]*type="hidden")[^>]*\bid="([^"]+)"/g,
      );
      let count = 0;
      for (const [, , id] of controls) {
        count++;
        assert.ok(
          html.includes(`for="${id ?? ''}"`),
          `no label for ${id ?? ''}`,
        );
      }
      const all = [
        ...html.matchAll(/<(input|select|textarea)\b(?![^>]*type="hidden")/g),
      ];
      assert.equal(count, all.length, 'a control without an id');
    }
  });

  it('leaves the API and unknown paths answering JSON', async () => {
    const api = await h.call('GET', '/v1/no-such-endpoint');
    assert.equal(api.status, 404);
    assert.deepEqual(api.body, { error: 'not found', code: 'not_found' });
    const other = await h.call('GET', '/no-such-page');
    assert.equal(other.status, 404);
    assert.deepEqual(other.body, { error: 'not found', code: 'not_found' });
  });
});
