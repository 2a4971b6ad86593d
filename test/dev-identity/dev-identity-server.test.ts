// startDevIdentityServer in this process, as `metacrypt dev` will embed
// it: the refusal without development: true, users given in code, close.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, describe, it } from 'node:test';

import {
  hashPassword,
  startDevIdentityServer,
} from '../../src/dev-identity/index.js';
import type {
  DevIdentityServerOptions,
  DevUserEntry,
} from '../../src/dev-identity/index.js';
import { isCode } from '../errors/thrown-error.js';
import { httpsRequest, postJson } from '../fixtures/https-request.js';
import { TEST_ARGON2_COST } from '../fixtures/identity-process.js';
import { logSink } from '../fixtures/log-sink.js';
import { TLS_FILES } from '../fixtures/tls-files.js';

const tls = {
  tlsCert: readFileSync(TLS_FILES.serverCert, 'utf8'),
  tlsKey: readFileSync(TLS_FILES.serverKey, 'utf8'),
};

describe('startDevIdentityServer', () => {
  let users: DevUserEntry[] = [];
  before(async () => {
    users = [
      {
        username: 'alice',
        password_hash: await hashPassword('alice pw', TEST_ARGON2_COST),
        roles: ['user'],
      },
    ];
  });

  it('refuses to start unless development is true', async () => {
    const options = { ...tls, users, development: false };
    await assert.rejects(
      startDevIdentityServer(options as unknown as DevIdentityServerOptions),
      (err: unknown) =>
        isCode('config_invalid')(err) &&
        err instanceof Error &&
        err.message ===
          'dev identity server: refusing to start without development: ' +
            'true; it is for development and tests only',
    );
  });

  it('refuses both users and a users file', async () => {
    const options = { ...tls, users, usersFile: 'x.toml', development: true };
    await assert.rejects(
      startDevIdentityServer(options as unknown as DevIdentityServerOptions),
      isCode('config_invalid'),
    );
  });

  it('serves users given in code on loopback, and stops on close', async () => {
    const sink = logSink();
    const server = await startDevIdentityServer({
      development: true,
      users,
      ...tls,
      logger: sink.logger,
    });
    assert.match(server.url, /^https:\/\/127\.0\.0\.1:\d+$/);

    const reply = await postJson(`${server.url}/v1/auth/login`, {
      username: 'alice',
      password: 'alice pw',
    });
    assert.equal(reply.status, 200);
    await server.close();
    await assert.rejects(httpsRequest(`${server.url}/v1/health`), {
      code: 'ECONNREFUSED',
    });

    await sink.settle();
    const messages = sink.lines().map((line) => line.message);
    assert.ok(messages.includes('dev identity server started'));
    assert.ok(messages.includes('login'));
  });
});
