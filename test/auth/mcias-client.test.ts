// MciasClient against the dev identity server as a real process, and
// against servers that fail as a real MCIAS can: each answer and each
// failure maps to its Metacrypt error.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { MciasClient } from '../../src/auth/index.js';
import type { MciasClientOptions } from '../../src/auth/index.js';
import { decodeBase32, totpCode } from '../../src/dev-identity/index.js';
import { MetacryptError } from '../../src/errors/index.js';
import {
  DEV_SERVICE,
  DEV_TOTP_SECRET,
  devUser,
  startIdentityProcess,
} from '../fixtures/identity-process.js';
import type { IdentityProcess } from '../fixtures/identity-process.js';
import {
  closedPort,
  jsonStub,
  startHttpsStub,
  startSilentServer,
} from '../fixtures/stub-servers.js';
import type { StubServer } from '../fixtures/stub-servers.js';
import { testCaPem } from '../fixtures/tls-files.js';

const ALICE = {
  username: 'alice',
  password: devUser('alice').password,
};

function client(
  serverUrl: string,
  options: Partial<MciasClientOptions> = {},
): MciasClient {
  return new MciasClient({
    serverUrl,
    caCertPem: testCaPem(),
    serviceName: 'metacrypt',
    tags: ['test'],
    ...options,
  });
}

// Resolves with the MetacryptError a promise rejects with.
async function failure(promise: Promise<unknown>): Promise<MetacryptError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof MetacryptError, String(err));
    return err;
  }
  assert.fail('expected a MetacryptError');
}

async function withStub(
  stub: Promise<StubServer>,
  run: (server: StubServer) => Promise<void>,
): Promise<void> {
  const server = await stub;
  try {
    await run(server);
  } finally {
    await server.close();
  }
}

describe('MciasClient against the dev identity server', () => {
  let identity: IdentityProcess;
  let mcias: MciasClient;

  before(async () => {
    identity = await startIdentityProcess();
    mcias = client(identity.url);
  });
  after(async () => {
    await identity.stop();
  });

  it('logs in and validates the token it got', async () => {
    const { token, expiresAt } = await mcias.login(ALICE);
    assert.ok(expiresAt.getTime() > Date.now());
    const info = await mcias.validate(token);
    assert.ok(info);
    assert.equal(info.username, 'alice');
    assert.deepEqual(info.roles, ['user']);
    assert.equal(info.expiresAt.getTime(), expiresAt.getTime());
    assert.match(info.sub, /^[0-9a-f-]{36}$/);
  });

  it('sends a TOTP code when given one', async () => {
    const secret = decodeBase32(DEV_TOTP_SECRET);
    assert.ok(secret);
    const { token } = await mcias.login({
      username: 'tess',
      password: devUser('tess').password,
      totpCode: totpCode(secret, Date.now()),
    });
    assert.equal((await mcias.validate(token))?.username, 'tess');
  });

  it('sends its service name with every login', async () => {
    const sam = { username: 'sam', password: devUser('sam').password };
    await client(identity.url, { serviceName: DEV_SERVICE }).login(sam);
    const err = await failure(mcias.login(sam));
    assert.equal(err.code, 'login_denied');
  });

  it('turns a 401 into invalid_credentials', async () => {
    const err = await failure(
      mcias.login({ username: 'alice', password: 'not the password' }),
    );
    assert.equal(err.code, 'invalid_credentials');
    assert.equal(err.status, 401);
    assert.equal(err.message, 'invalid credentials');
  });

  it('turns a 403 into login_denied', async () => {
    const err = await failure(
      mcias.login({ username: 'dana', password: devUser('dana').password }),
    );
    assert.equal(err.code, 'login_denied');
    assert.equal(err.status, 403);
    assert.equal(err.message, 'login denied');
  });

  it('validates a bad or revoked token as null', async () => {
    assert.equal(await mcias.validate('not-a-token'), null);
    const { token } = await mcias.login(ALICE);
    await mcias.logout(token);
    assert.equal(await mcias.validate(token), null);
  });

  it('fails a logout MCIAS refuses with unauthenticated', async () => {
    const err = await failure(mcias.logout('not-a-token'));
    assert.equal(err.code, 'unauthenticated');
  });

  it('reports health as true', async () => {
    assert.equal(await mcias.health(), true);
  });
});

describe('MciasClient when MCIAS fails', () => {
  it('reports a refused connection as mcias unavailable (502)', async () => {
    const mcias = client(`https://127.0.0.1:${await closedPort()}`);
    const err = await failure(mcias.login(ALICE));
    assert.equal(err.code, 'mcias_unavailable');
    assert.equal(err.status, 502);
    assert.equal(err.message, 'mcias unavailable: connection refused');
    assert.equal(await mcias.health(), false);
  });

  it('times out a server that accepts and never answers', async () => {
    await withStub(startSilentServer(), async (silent) => {
      const mcias = client(silent.url, { timeoutMs: 200 });
      const err = await failure(mcias.validate('some-token'));
      assert.equal(err.code, 'mcias_unavailable');
      assert.equal(err.message, 'mcias unavailable: timed out after 200 ms');
    });
  });

  it('refuses a certificate from a CA it was not given', async () => {
    await withStub(jsonStub(200, { status: 'ok' }), async (stub) => {
      const untrusting = new MciasClient({
        serverUrl: stub.url,
        serviceName: 'metacrypt',
        tags: [],
      });
      const err = await failure(untrusting.login(ALICE));
      assert.equal(err.code, 'mcias_unavailable');
      assert.equal(err.message, 'mcias unavailable: certificate not trusted');
      assert.equal(stub.requests.length, 0);
      assert.equal(await client(stub.url).health(), true);
    });
  });

  it('reports a 5xx answer with its status', async () => {
    await withStub(jsonStub(503, { error: 'down' }), async (stub) => {
      const mcias = client(stub.url);
      const calls = [
        () => mcias.login(ALICE),
        () => mcias.validate('t'),
        () => mcias.logout('t'),
      ];
      for (const call of calls) {
        const err = await failure(call());
        assert.equal(err.code, 'mcias_unavailable');
        assert.equal(err.message, 'mcias unavailable: answered 503');
      }
      assert.equal(await mcias.health(), false);
    });
  });

  it('reports a reply of the wrong shape as malformed', async () => {
    const replies = [
      'not json',
      { token: 5, expires_at: '2030-01-01T00:00:00Z' },
      { token: 't', expires_at: 'tomorrow' },
      { valid: 'yes' },
    ];
    for (const reply of replies) {
      await withStub(jsonStub(200, reply), async (stub) => {
        const mcias = client(stub.url);
        const err = await failure(
          'valid' in Object(reply) ? mcias.validate('t') : mcias.login(ALICE),
        );
        assert.equal(err.code, 'mcias_unavailable');
        assert.equal(err.message, 'mcias unavailable: malformed reply');
      });
    }
  });

  it('reads null roles, as Go writes them, as no roles', async () => {
    const reply = {
      valid: true,
      sub: 's',
      username: 'u',
      roles: null,
      expires_at: '2030-01-01T00:00:00+02:00',
    };
    await withStub(jsonStub(200, reply), async (stub) => {
      const info = await client(stub.url).validate('t');
      assert.ok(info);
      assert.deepEqual(info.roles, []);
      assert.equal(info.expiresAt.toISOString(), '2029-12-31T22:00:00.000Z');
    });
  });

  it('passes on a rate limit with its Retry-After', async () => {
    const stub = startHttpsStub((_request, res) => {
      res.writeHead(429, { 'retry-after': '17' });
      res.end('{"error":"slow down"}');
    });
    await withStub(stub, async (server) => {
      const err = await failure(client(server.url).login(ALICE));
      assert.equal(err.code, 'too_many_attempts');
      assert.equal(err.retryAfterSeconds, 17);
    });
  });

  it('keeps a path prefix of the server URL', async () => {
    const stub = startHttpsStub((_request, res) => {
      res.writeHead(204);
      res.end();
    });
    await withStub(stub, async (server) => {
      const mcias = client(`${server.url}/mcias`);
      await mcias.logout('the-token');
      await mcias.validate('v').catch(() => undefined);
      const [logout, validate] = server.requests;
      assert.equal(logout?.method, 'POST');
      assert.equal(logout.path, '/mcias/v1/auth/logout');
      assert.equal(logout.headers.authorization, 'Bearer the-token');
      assert.equal(validate?.path, '/mcias/v1/token/validate');
      assert.deepEqual(JSON.parse(validate.body), { token: 'v' });
    });
  });

  it('sends the login fields MCIAS expects', async () => {
    const stub = jsonStub(200, {
      token: 't',
      expires_at: '2030-01-01T00:00:00Z',
    });
    await withStub(stub, async (server) => {
      await client(server.url).login({ ...ALICE, totpCode: '123456' });
      const [login] = server.requests;
      assert.equal(login?.path, '/v1/auth/login');
      assert.deepEqual(JSON.parse(login.body), {
        username: 'alice',
        password: ALICE.password,
        totp_code: '123456',
        service_name: 'metacrypt',
        tags: ['test'],
      });
    });
  });

  it('refuses a server URL that is not https', () => {
    assert.throws(
      () => client('http://127.0.0.1:1'),
      (err: unknown) =>
        err instanceof MetacryptError && err.code === 'config_invalid',
    );
  });
});
