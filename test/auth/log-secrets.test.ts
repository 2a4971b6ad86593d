// No password, token, TOTP code or secret reaches a log line or an error
// message, from the identity server process or from the authenticator,
// across logins that work and fail, validations and logouts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  Authenticator,
  MciasClient,
  TokenCache,
} from '../../src/auth/index.js';
import { decodeBase32, totpCode } from '../../src/dev-identity/index.js';
import {
  DEV_TOTP_SECRET,
  DEV_USERS,
  devUser,
  startIdentityProcess,
} from '../fixtures/identity-process.js';
import { logSink } from '../fixtures/log-sink.js';

const WRONG_PASSWORD = 'wrong-password-4b9e1f';

describe('secrets in logs', () => {
  it("appear in neither the server's nor the client's log", async () => {
    // Step 1: both sides logging everything they log.
    const identity = await startIdentityProcess({ logLevel: 'debug' });
    const sink = logSink('debug');
    const auth = new Authenticator({
      client: new MciasClient({
        serverUrl: identity.url,
        caCertPem: identity.caPem,
        serviceName: 'metacrypt',
        tags: ['log-test'],
      }),
      cache: new TokenCache({ ttlMs: 30_000 }),
      logger: sink.logger,
    });
    const secrets = new Set<string>([DEV_TOTP_SECRET, WRONG_PASSWORD]);
    const tokens: string[] = [];
    const errors: string[] = [];
    const attempt = async (run: () => Promise<unknown>): Promise<void> => {
      try {
        await run();
      } catch (err) {
        errors.push(err instanceof Error ? `${err.message} ${err.stack}` : '');
      }
    };

    // Step 2: every kind of login, good and bad.
    const secret = decodeBase32(DEV_TOTP_SECRET);
    assert.ok(secret);
    for (const user of DEV_USERS) {
      secrets.add(user.password);
      const code = totpCode(secret, Date.now());
      secrets.add(code);
      await attempt(async () => {
        const { token } = await auth.login({
          username: user.username,
          password: user.password,
          ...(user.totpSecret === undefined ? {} : { totpCode: code }),
        });
        tokens.push(token);
      });
      await attempt(() =>
        auth.login({ username: user.username, password: WRONG_PASSWORD }),
      );
    }
    await attempt(() =>
      auth.login({
        username: 'tess',
        password: devUser('tess').password,
        totpCode: '000000',
      }),
    );
    assert.ok(tokens.length >= 3, 'some logins succeeded');

    // Step 3: validations, good and bad, and logouts, with MCIAS up and
    // then down.
    for (const token of tokens) {
      await auth.authenticate(token);
      await auth.authenticate(token);
    }
    await attempt(() => auth.authenticate(`${tokens[0] ?? ''}x`));
    const [first, ...rest] = tokens;
    assert.ok(first !== undefined);
    await auth.logout(first);
    await auth.logout(first);
    await attempt(() => auth.authenticate(first));
    await identity.stop();
    for (const token of rest) await auth.logout(token);
    await attempt(() => auth.authenticate(first));
    await sink.settle();

    // Step 4: the logs said something, and nothing secret.
    const serverLog = identity.output();
    const clientLog = sink.text();
    for (const message of ['"login"', '"login refused"', '"logout"']) {
      assert.ok(serverLog.includes(message), `server logged ${message}`);
    }
    for (const message of ['"login"', '"logout not sent to mcias"']) {
      assert.ok(clientLog.includes(message), `client logged ${message}`);
    }
    for (const token of tokens) {
      secrets.add(token);
      for (const part of token.split('.')) secrets.add(part);
    }
    for (const value of secrets) {
      assert.ok(!serverLog.includes(value), 'identity server log leaks');
      assert.ok(!clientLog.includes(value), 'authenticator log leaks');
      for (const text of errors) {
        assert.ok(!text.includes(value), 'an error message leaks');
      }
    }
  });
});
