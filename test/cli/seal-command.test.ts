// `metacrypt seal`, run as a real process: an admin's token seals, a
// user's is refused with 403, and the token comes from the flag, the
// environment or the file `metacrypt login` writes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { writeToken } from '../../src/cli/token-file.js';
import { readyCliTarget } from '../fixtures/cli-target.js';
import { TLS_FILES } from '../fixtures/tls-files.js';

describe('metacrypt seal', () => {
  const target = readyCliTarget();
  const { home, server } = target;
  const state = async (): Promise<unknown> =>
    (await target.h.call('GET', '/v1/status')).body;

  it('refuses to run without a token', async () => {
    const run = await home.run(['seal', ...server()]);
    assert.equal(run.status, 1);
    assert.equal(
      run.stderr,
      'not logged in: run metacrypt login, or set METACRYPT_TOKEN\n',
    );
    assert.deepEqual(await state(), { state: 'unsealed' });
  });

  it("refuses a user's token with the server's 403", async () => {
    const run = await home.run(['seal', ...server(), '--token', target.alice]);
    assert.equal(run.status, 1);
    assert.equal(run.stderr, 'forbidden\n');

    const json = await home.run([
      'seal',
      ...server(),
      '--token',
      target.alice,
      '--json',
    ]);
    assert.deepEqual(JSON.parse(json.stdout), {
      error: 'forbidden',
      code: 'forbidden',
    });
    assert.deepEqual(await state(), { state: 'unsealed' });
  });

  it("seals with an admin's token", async () => {
    const run = await home.run(['seal', ...server(), '--token', target.admin]);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, `${target.url}: sealed\n`);
    assert.deepEqual(await state(), { state: 'sealed' });
  });

  it('leaves a sealed vault as it is and exits 0', async () => {
    const run = await home.run(['seal', ...server(), '--token', target.admin]);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, `${target.url}: already sealed\n`);
  });

  it('takes the server and the token from the environment', async () => {
    await target.h.unseal();
    const run = await home.run(['seal', '--json'], {
      env: {
        METACRYPT_ADDR: target.url,
        METACRYPT_CA_CERT: TLS_FILES.caCert,
        METACRYPT_TOKEN: target.admin,
      },
    });
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), {
      addr: target.url,
      state: 'sealed',
    });
  });

  it('uses the token metacrypt login stored', async () => {
    await target.h.unseal();
    writeToken(home.configDir, {
      addr: target.url,
      token: target.admin,
      expires_at: new Date(Date.now() + 3_600_000).toISOString(),
    });
    const run = await home.run(['seal', ...server()]);
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(await state(), { state: 'sealed' });
  });
});
