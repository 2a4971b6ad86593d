// The dev identity server as a real process, spoken to over HTTPS: each
// MCIAS call, its refusals, and the answers to malformed requests.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { decodeBase32, totpCode } from '../../src/dev-identity/index.js';
import { httpsRequest, postJson } from '../fixtures/https-request.js';
import type { RawReply } from '../fixtures/https-request.js';
import {
  DEV_SERVICE,
  DEV_TOTP_SECRET,
  devUser,
  startIdentityProcess,
} from '../fixtures/identity-process.js';
import type { IdentityProcess } from '../fixtures/identity-process.js';

const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

interface LoginBody {
  token: string;
  expires_at: string;
}

function totpAt(timeMs: number): string {
  const secret = decodeBase32(DEV_TOTP_SECRET);
  assert.ok(secret);
  return totpCode(secret, timeMs);
}

function currentTotp(): string {
  return totpAt(Date.now());
}

// A code valid in none of the steps the server accepts around now.
function wrongTotp(): string {
  const now = Date.now();
  const near = new Set(
    [-2, -1, 0, 1, 2].map((step) => totpAt(now + step * 30_000)),
  );
  let code = 0;
  while (near.has(String(code).padStart(6, '0'))) code++;
  return String(code).padStart(6, '0');
}

describe('dev identity server', () => {
  let identity: IdentityProcess;
  const url = (path: string): string => `${identity.url}${path}`;
  const login = (body: Record<string, unknown>): Promise<RawReply> =>
    postJson(url('/v1/auth/login'), body);
  const validate = (token: unknown): Promise<RawReply> =>
    postJson(url('/v1/token/validate'), { token });
  const logout = (token: string): Promise<RawReply> =>
    httpsRequest(url('/v1/auth/logout'), {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
  const loginAs = async (
    username: string,
    extra: Record<string, unknown> = {},
  ): Promise<LoginBody> => {
    const reply = await login({
      username,
      password: devUser(username).password,
      ...extra,
    });
    assert.equal(reply.status, 200, reply.text);
    return reply.json() as LoginBody;
  };

  before(async () => {
    identity = await startIdentityProcess();
  });
  after(async () => {
    await identity.stop();
  });

  describe('GET /v1/health', () => {
    it('answers 200 with status ok', async () => {
      const reply = await httpsRequest(url('/v1/health'));
      assert.equal(reply.status, 200);
      assert.deepEqual(reply.json(), { status: 'ok' });
    });
  });

  describe('POST /v1/auth/login', () => {
    it('gives a token and RFC 3339 expiry for a good login', async () => {
      const body = await loginAs('alice');
      assert.equal(typeof body.token, 'string');
      assert.match(body.expires_at, RFC3339);
      assert.ok(Date.parse(body.expires_at) > Date.now());
    });

    it('answers 401 invalid credentials for a wrong password', async () => {
      const reply = await login({ username: 'alice', password: 'wrong' });
      assert.equal(reply.status, 401);
      assert.deepEqual(reply.json(), { error: 'invalid credentials' });
    });

    it('answers an unknown user exactly as a wrong password', async () => {
      const unknown = await login({ username: 'nobody', password: 'wrong' });
      const wrong = await login({ username: 'alice', password: 'wrong' });
      assert.equal(unknown.status, 401);
      assert.equal(unknown.text, wrong.text);
    });

    it('answers 403 login denied for a disabled user', async () => {
      const reply = await login({
        username: 'dana',
        password: devUser('dana').password,
      });
      assert.equal(reply.status, 403);
      assert.deepEqual(reply.json(), { error: 'login denied' });
    });

    it("answers 401 to a disabled user's wrong password", async () => {
      const reply = await login({ username: 'dana', password: 'wrong' });
      assert.equal(reply.status, 401);
    });

    it('answers 403 for a service the user may not use', async () => {
      const { password } = devUser('sam');
      const other = await login({
        username: 'sam',
        password,
        service_name: 'metacrypt',
      });
      assert.equal(other.status, 403);
      assert.deepEqual(other.json(), { error: 'login denied' });
      const none = await login({ username: 'sam', password });
      assert.equal(none.status, 403);
      await loginAs('sam', { service_name: DEV_SERVICE });
    });

    it('accepts service_name and tags from a user without limits', async () => {
      await loginAs('alice', { service_name: 'metacrypt', tags: ['a', 'b'] });
    });

    it('needs a right TOTP code from a user who has a secret', async () => {
      const { password } = devUser('tess');
      const missing = await login({ username: 'tess', password });
      assert.equal(missing.status, 401);
      assert.deepEqual(missing.json(), { error: 'invalid credentials' });

      const wrong = await login({
        username: 'tess',
        password,
        totp_code: wrongTotp(),
      });
      assert.equal(wrong.status, 401);

      await loginAs('tess', { totp_code: currentTotp() });
    });

    it('answers 400 naming the field for a wrong type', async () => {
      const cases: [Record<string, unknown>, string][] = [
        [{ password: 'x' }, 'username is required'],
        [{ username: 5, password: 'x' }, 'username must be a string'],
        [{ username: 'a', password: 'x', tags: 'a' }, 'tags must be a list'],
        [
          { username: 'a', password: 'x', totp_code: 1 },
          'totp_code must be a string',
        ],
      ];
      for (const [body, error] of cases) {
        const reply = await login(body);
        assert.equal(reply.status, 400);
        assert.deepEqual(reply.json(), { error });
      }
    });
  });

  describe('POST /v1/token/validate', () => {
    it('describes a valid token', async () => {
      const { token, expires_at } = await loginAs('admin');
      const reply = await validate(token);
      assert.equal(reply.status, 200);
      const body = reply.json() as Record<string, unknown>;
      assert.equal(body.valid, true);
      assert.equal(body.username, 'admin');
      assert.deepEqual(body.roles, ['admin']);
      assert.equal(body.expires_at, expires_at);
      assert.match(String(body.sub), /^[0-9a-f-]{36}$/);
    });

    it('answers valid:false for a string that is no token', async () => {
      for (const token of ['', 'abc', 'a.b']) {
        const reply = await validate(token);
        assert.equal(reply.status, 200);
        assert.deepEqual(reply.json(), { valid: false });
      }
    });

    it('answers 400 when token is not a string', async () => {
      const reply = await validate(42);
      assert.equal(reply.status, 400);
      assert.deepEqual(reply.json(), { error: 'token must be a string' });
    });
  });

  describe('POST /v1/auth/logout', () => {
    it('revokes the token: 204, then valid:false, then 401', async () => {
      const { token } = await loginAs('alice');
      const other = await loginAs('alice');

      const first = await logout(token);
      assert.equal(first.status, 204);
      assert.equal(first.text, '');
      assert.deepEqual((await validate(token)).json(), { valid: false });
      assert.equal((await logout(token)).status, 401);

      const kept = (await validate(other.token)).json() as { valid: boolean };
      assert.equal(kept.valid, true);
    });

    it('answers 401 for a bad token or no Authorization header', async () => {
      const bad = await logout('not-a-token');
      assert.equal(bad.status, 401);
      assert.deepEqual(bad.json(), { error: 'invalid token' });
      const none = await httpsRequest(url('/v1/auth/logout'), {
        method: 'POST',
      });
      assert.equal(none.status, 401);
    });
  });

  describe('malformed requests', () => {
    it('answers 400 for a body that is not JSON', async () => {
      const reply = await httpsRequest(url('/v1/auth/login'), {
        method: 'POST',
        body: '{"username": "alice", "password": ',
      });
      assert.equal(reply.status, 400);
      assert.deepEqual(reply.json(), { error: 'malformed JSON' });
    });

    it('answers 400 for JSON that is not an object', async () => {
      const reply = await postJson(url('/v1/auth/login'), ['alice']);
      assert.equal(reply.status, 400);
      assert.deepEqual(reply.json(), { error: 'body must be a JSON object' });
    });

    it('answers 413 for a body over 64 KiB', async () => {
      const body = JSON.stringify({
        username: 'a',
        password: 'x'.repeat(65_536),
      });
      const reply = await httpsRequest(url('/v1/auth/login'), {
        method: 'POST',
        body,
      });
      assert.equal(reply.status, 413);
      assert.deepEqual(reply.json(), { error: 'request too large' });
    });

    it('answers 413 for an oversized body sent without a length', async () => {
      const reply = await httpsRequest(url('/v1/token/validate'), {
        method: 'POST',
        body: Buffer.alloc(70_000, 0x61),
        headers: { 'transfer-encoding': 'chunked' },
      });
      assert.equal(reply.status, 413);
    });

    it('answers 404 for an unknown path', async () => {
      const reply = await httpsRequest(url('/v1/auth/nothing'));
      assert.equal(reply.status, 404);
      assert.deepEqual(reply.json(), { error: 'not found' });
    });

    it('answers 405 with Allow for the wrong method', async () => {
      const get = await httpsRequest(url('/v1/auth/login'));
      assert.equal(get.status, 405);
      assert.equal(get.headers.allow, 'POST');
      assert.deepEqual(get.json(), { error: 'method not allowed' });
      const post = await httpsRequest(url('/v1/health'), {
        method: 'POST',
        body: '{}',
      });
      assert.equal(post.status, 405);
      assert.equal(post.headers.allow, 'GET');
    });
  });
});

describe('dev identity server with a short token TTL', () => {
  let identity: IdentityProcess;

  before(async () => {
    identity = await startIdentityProcess({ tokenTtlSeconds: 1 });
  });
  after(async () => {
    await identity.stop();
  });

  it('answers valid:false once a token has expired', async () => {
    const reply = await postJson(`${identity.url}/v1/auth/login`, {
      username: 'alice',
      password: devUser('alice').password,
    });
    const { token, expires_at } = reply.json() as LoginBody;

    // Wait until the reply's own expiry time has passed.
    await sleep(Math.max(0, Date.parse(expires_at) - Date.now()) + 50);
    const check = await postJson(`${identity.url}/v1/token/validate`, {
      token,
    });
    assert.deepEqual(check.json(), { valid: false });
  });
});
