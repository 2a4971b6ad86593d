// `metacrypt seal`, run as a real process: an admin's token seals, a
// user's is refused with 403, and the token comes from the flag, the
// environment or the file `metacrypt login` writes.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { writeToken } from '../../src/cli/token-file.js';
import { CliHome } from '../fixtures/cli-process.js';
import { TLS_FILES } from '../fixtures/tls-files.js';
import { Harness } from '../server/harness.js';

describe('metacrypt seal', () => {
  let h: Harness;
  let admin: string;
  let alice: string;
  const home = new CliHome();
  const server = (): string[] => [
    '--addr',
    h.url,
    '--ca-cert',
    TLS_FILES.caCert,
  ];
  const state = async (): Promise<unknown> =>
    (await h.call('GET', '/v1/status')).body;
  before(async () => {
    ({ h, admin, alice } = await Harness.startReady());
  });
  after(async () => {
    home.remove();
    await h.close();
  });

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
    const run = await home.run(['seal', ...server(), '--token', alice]);
    assert.equal(run.status, 1);
    assert.equal(run.stderr, 'forbidden\n');

    const json = await home.run([
      'seal',
      ...server(),
      '--token',
      alice,
      '--json',
    ]);
    assert.deepEqual(JSON.parse(json.stdout), {
      error: 'forbidden',
      code: 'forbidden',
    });
    assert.deepEqual(await state(), { state: 'unsealed' });
  });

  it("seals with an admin's token", async () => {
    const run = await home.run(['seal', ...server(), '--token', admin]);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, `${h.url}: sealed\n`);
    assert.deepEqual(await state(), { state: 'sealed' });
  });

  it('leaves a sealed vault as it is and exits 0', async () => {
    const run = await home.run(['seal', ...server(), '--token', admin]);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, `${h.url}: already sealed\n`);
  });

  it('takes the server and the token from the environment', async () => {
    await h.unseal();
    const run = await home.run(['seal', '--json'], {
      env: {
        METACRYPT_ADDR: h.url,
        METACRYPT_CA_CERT: TLS_FILES.caCert,
        METACRYPT_TOKEN: admin,
      },
    });
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), { addr: h.url, state: 'sealed' });
  });

  it('uses the token metacrypt login stored', async () => {
    await h.unseal();
    writeToken(home.configDir, {
      addr: h.url,
      token: admin,
      expires_at: new Date(Date.now() + 3_600_000).toISOString(),
    });
    const run = await home.run(['seal', ...server()]);
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(await state(), { state: 'sealed' });
  });
});
