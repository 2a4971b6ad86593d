// `metacrypt status`, run as a real process against a real server: the
// state as text and JSON, and the exit code a health check branches on.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { cliTarget } from '../fixtures/cli-target.js';
import { closedPort } from '../fixtures/stub-servers.js';
import { TLS_FILES } from '../fixtures/tls-files.js';

describe('metacrypt status', () => {
  const target = cliTarget();
  const { home, server } = target;
  let admin: string;

  it('exits 2 for an uninitialized vault', async () => {
    const run = await home.run(['status', ...server()]);
    assert.equal(run.status, 2, run.stderr);
    assert.equal(run.stdout, `${target.url}: uninitialized\n`);
    assert.equal(run.stderr, '');
  });

  it('exits 0 for an unsealed vault, and prints JSON with --json', async () => {
    await target.h.init();
    admin = await target.h.login('admin');
    const run = await home.run(['status', ...server(), '--json']);
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), {
      addr: target.url,
      state: 'unsealed',
    });
  });

  it('exits 2 for a sealed vault, found through the environment', async () => {
    const sealed = await target.h.call('POST', '/v1/seal', { token: admin });
    assert.equal(sealed.status, 200);
    const run = await home.run(['status', '--json'], {
      env: { METACRYPT_ADDR: target.url, METACRYPT_CA_CERT: TLS_FILES.caCert },
    });
    assert.equal(run.status, 2, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), {
      addr: target.url,
      state: 'sealed',
    });
  });

  it('exits 1 when the certificate is not trusted', async () => {
    const run = await home.run(['status', '--addr', target.url]);
    assert.equal(run.status, 1);
    assert.equal(run.stdout, '');
    assert.equal(
      run.stderr,
      `cannot reach ${target.url}: certificate not trusted (pass --ca-cert)\n`,
    );
  });

  it('exits 1 when nothing answers, with the code in JSON', async () => {
    const addr = `https://127.0.0.1:${String(await closedPort())}`;
    const run = await home.run(['status', '--addr', addr, '--json']);
    assert.equal(run.status, 1);
    assert.deepEqual(JSON.parse(run.stdout), {
      error: `cannot reach ${addr}: connection refused`,
      code: 'cli_unreachable',
    });
  });

  it('exits 1 for an address that is not https', async () => {
    const run = await home.run(['status', '--addr', 'http://localhost:8443']);
    assert.equal(run.status, 1);
    assert.equal(
      run.stderr,
      '--addr must be an https:// URL; Metacrypt serves only HTTPS\n',
    );
  });
});
