// The Authenticator against the dev identity server as a real process:
// cache hits without MCIAS, riding out an outage until the cache TTL
// passes, and logout evicting first, even while MCIAS is down.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';

import {
  Authenticator,
  MciasClient,
  TokenCache,
} from '../../src/auth/index.js';
import type { AuthenticatorClient, TokenInfo } from '../../src/auth/index.js';
import { MetacryptError } from '../../src/errors/index.js';
import { isCode } from '../errors/thrown-error.js';
import { devUser, startIdentityProcess } from '../fixtures/identity-process.js';
import type { IdentityProcess } from '../fixtures/identity-process.js';
import { logSink } from '../fixtures/log-sink.js';
import type { LogSink } from '../fixtures/log-sink.js';

const CACHE_TTL_MS = 30_000;

function credentials(username: string): {
  username: string;
  password: string;
} {
  return { username, password: devUser(username).password };
}

// The real client, with a count of validations actually sent to MCIAS.
function countingClient(real: MciasClient): AuthenticatorClient & {
  validations: number;
} {
  const counted = {
    validations: 0,
    login: real.login.bind(real),
    logout: real.logout.bind(real),
    validate: (token: string): Promise<TokenInfo | null> => {
      counted.validations++;
      return real.validate(token);
    },
  };
  return counted;
}

describe('Authenticator', () => {
  let identity: IdentityProcess;
  let client: ReturnType<typeof countingClient>;
  let time: { t: number };
  let cache: TokenCache;
  let sink: LogSink;
  let auth: Authenticator;

  beforeEach(async () => {
    identity = await startIdentityProcess();
    client = countingClient(
      new MciasClient({
        serverUrl: identity.url,
        caCertPem: identity.caPem,
        serviceName: 'metacrypt',
        tags: [],
      }),
    );
    // Real time to start with, moved on by hand: MCIAS's expiry checks use
    // the real clock, the cache and the authenticator this one.
    const state = { t: Date.now() };
    time = state;
    const now = (): number => state.t;
    cache = new TokenCache({ ttlMs: CACHE_TTL_MS, now });
    sink = logSink();
    auth = new Authenticator({ client, cache, logger: sink.logger, now });
  });
  afterEach(async () => {
    await identity.stop();
  });

  it('logs in and authenticates the token as the user', async () => {
    const { token, expiresAt } = await auth.login(credentials('admin'));
    const who = await auth.authenticate(token);
    assert.equal(who.username, 'admin');
    assert.deepEqual(who.roles, ['admin']);
    assert.equal(who.isAdmin, true);
    assert.equal(who.expiresAt.getTime(), expiresAt.getTime());

    const { token: aliceToken } = await auth.login(credentials('alice'));
    assert.equal((await auth.authenticate(aliceToken)).isAdmin, false);
  });

  it('answers a token seen before from the cache, without MCIAS', async () => {
    const { token } = await auth.login(credentials('alice'));
    await auth.authenticate(token);
    await auth.authenticate(token);
    await auth.authenticate(token);
    assert.equal(client.validations, 1);
    assert.equal(auth.cacheMisses, 1);
    assert.equal(auth.cacheHits, 2);
  });

  it('shares one MCIAS call among overlapping validations', async () => {
    const { token } = await auth.login(credentials('alice'));
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => auth.authenticate(token)),
    );
    assert.equal(client.validations, 1);
    assert.ok(answers.every((who) => who === answers[0]));
  });

  it('refuses a token MCIAS rejects, and does not cache it', async () => {
    for (let i = 0; i < 2; i++) {
      await assert.rejects(
        auth.authenticate('not-a-token'),
        isCode('unauthenticated'),
      );
    }
    assert.equal(client.validations, 2);
    assert.equal(cache.size, 0);
  });

  it('refuses an empty or oversized token without asking MCIAS', async () => {
    for (const token of ['', 'a'.repeat(10_000)]) {
      await assert.rejects(auth.authenticate(token), isCode('unauthenticated'));
    }
    assert.equal(client.validations, 0);
  });

  it('refuses a token once it has expired, even if cached', async () => {
    const { token, expiresAt } = await auth.login(credentials('alice'));
    await auth.authenticate(token);
    time.t = expiresAt.getTime();
    await assert.rejects(auth.authenticate(token), isCode('unauthenticated'));
  });

  it('serves a cached token after MCIAS dies, until the TTL', async () => {
    const { token } = await auth.login(credentials('alice'));
    await auth.authenticate(token);
    await identity.kill();

    time.t += CACHE_TTL_MS - 1;
    assert.equal((await auth.authenticate(token)).username, 'alice');

    time.t += 1;
    await assert.rejects(auth.authenticate(token), (err: unknown) => {
      assert.ok(err instanceof MetacryptError);
      assert.equal(err.code, 'mcias_unavailable');
      assert.equal(err.message, 'mcias unavailable: connection refused');
      return true;
    });
  });

  it('fails an uncached token while MCIAS is down', async () => {
    const { token } = await auth.login(credentials('alice'));
    await identity.kill();
    await assert.rejects(auth.authenticate(token), isCode('mcias_unavailable'));
    await assert.rejects(
      auth.login(credentials('alice')),
      isCode('mcias_unavailable'),
    );
  });

  it('evicts on logout and has MCIAS revoke the token', async () => {
    const { token } = await auth.login(credentials('alice'));
    await auth.authenticate(token);
    await auth.logout(token);
    assert.equal(cache.size, 0);
    await assert.rejects(auth.authenticate(token), isCode('unauthenticated'));
  });

  it('keeps a logout final while MCIAS is down, and logs', async () => {
    const { token } = await auth.login(credentials('alice'));
    await auth.authenticate(token);
    await identity.kill();

    await auth.logout(token);
    assert.equal(cache.size, 0);
    // Refused here without asking MCIAS, which never revoked it.
    const validations = client.validations;
    await assert.rejects(auth.authenticate(token), isCode('unauthenticated'));
    assert.equal(client.validations, validations);
    await sink.settle();
    const warning = sink
      .lines()
      .find((line) => line.message === 'logout not sent to mcias');
    assert.equal(warning?.level, 'warn');
  });

  it('forgets a logged-out token once it has expired', async () => {
    const { token, expiresAt } = await auth.login(credentials('alice'));
    await auth.authenticate(token);
    await auth.logout(token);
    await assert.rejects(auth.authenticate(token), isCode('unauthenticated'));
    const validations = client.validations;
    time.t = expiresAt.getTime() + 1;
    // Past its expiry MCIAS is asked again, and refuses it on its own.
    await assert.rejects(auth.authenticate(token), isCode('unauthenticated'));
    assert.equal(client.validations, validations + 1);
  });

  it('takes a logout of a token MCIAS no longer accepts quietly', async () => {
    await auth.logout('not-a-token');
  });

  it('caches no answer that arrives after a logout', async () => {
    const { token } = await auth.login(credentials('alice'));
    const pending = auth.authenticate(token).catch((err: unknown) => err);
    await auth.logout(token);
    await pending;
    assert.equal(cache.size, 0);
  });

  it('passes on MCIAS refusing a login', async () => {
    await assert.rejects(
      auth.login({ username: 'alice', password: 'wrong' }),
      isCode('invalid_credentials'),
    );
    await assert.rejects(
      auth.login(credentials('dana')),
      isCode('login_denied'),
    );
    await sink.settle();
    const refusals = sink
      .lines()
      .filter((line) => line.message === 'login refused');
    assert.deepEqual(
      refusals.map((line) => [line.username, line.code]),
      [
        ['alice', 'invalid_credentials'],
        ['dana', 'login_denied'],
      ],
    );
  });
});
