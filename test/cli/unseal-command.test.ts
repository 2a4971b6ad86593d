// `metacrypt unseal`, run as a real process: the password from a hidden
// prompt or from stdin, a wrong one, the lockout and its retry time.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { CliHome } from '../fixtures/cli-process.js';
import { readyCliTarget } from '../fixtures/cli-target.js';
import { startHttpsStub } from '../fixtures/stub-servers.js';
import { TLS_FILES } from '../fixtures/tls-files.js';
import { PASSWORD } from '../keyworker/vault-scratch.js';

const NOT_A_TERMINAL =
  'stdin is not a terminal: pass --password-stdin to read the password ' +
  'from it\n';

describe('metacrypt unseal', () => {
  const target = readyCliTarget();
  const { home, server } = target;
  const seal = async (token = target.admin): Promise<void> => {
    const reply = await target.h.call('POST', '/v1/seal', { token });
    assert.equal(reply.status, 200, reply.text);
  };
  const state = async (): Promise<unknown> =>
    (await target.h.call('GET', '/v1/status')).body;

  it('leaves an unsealed vault as it is, asking nothing', async () => {
    // stdin is not a terminal and there is no --password-stdin, so any
    // attempt to ask for the password would fail.
    const run = await home.run(['unseal', ...server()]);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, `${target.url}: already unsealed\n`);
  });

  it('refuses a stdin that is not a terminal without --password-stdin', async () => {
    await seal();
    const run = await home.run(['unseal', ...server()], { stdin: PASSWORD });
    assert.equal(run.status, 1);
    assert.equal(run.stderr, NOT_A_TERMINAL);
    assert.deepEqual(await state(), { state: 'sealed' });
  });

  it('exits 1 with invalid password for a wrong one', async () => {
    const run = await home.run(['unseal', ...server(), '--password-stdin'], {
      stdin: 'correct horse battery stable\n',
    });
    assert.equal(run.status, 1);
    assert.equal(run.stdout, '');
    assert.equal(run.stderr, 'invalid password\n');

    const json = await home.run(
      ['unseal', ...server(), '--password-stdin', '--json'],
      { stdin: 'correct horse battery stable\n' },
    );
    assert.equal(json.status, 1);
    assert.deepEqual(JSON.parse(json.stdout), {
      error: 'invalid password',
      code: 'invalid_password',
    });
  });

  it('unseals with the password typed at a prompt that echoes nothing', async () => {
    const tty = await home.runTty(
      ['unseal', ...server()],
      [{ expect: 'Seal password: ', send: `${PASSWORD}\r` }],
    );
    assert.equal(tty.status, 0, tty.output);
    assert.match(tty.output, new RegExp(`${target.url}: unsealed`));
    assert.ok(!tty.output.includes(PASSWORD), 'the password was echoed');
    assert.deepEqual(await state(), { state: 'unsealed' });
  });

  it('reads --password-stdin, the server from the environment', async () => {
    await seal();
    const run = await home.run(['unseal', '--password-stdin', '--json'], {
      stdin: `${PASSWORD}\n`,
      env: { METACRYPT_ADDR: target.url, METACRYPT_CA_CERT: TLS_FILES.caCert },
    });
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), {
      addr: target.url,
      state: 'unsealed',
    });
  });

  it('says when to try again once locked out', async () => {
    // A new vault, so that the lockout does not outlast this test.
    await target.h.fresh();
    await target.h.init();
    await seal(await target.h.login('admin'));
    for (let attempt = 1; attempt <= 5; attempt++) {
      const wrong = await target.h.call('POST', '/v1/unseal', {
        json: { password: `wrong password ${String(attempt)}` },
      });
      assert.equal(wrong.status, 401);
    }

    const run = await home.run(['unseal', ...server(), '--password-stdin'], {
      stdin: `${PASSWORD}\n`,
    });
    assert.equal(run.status, 1);
    assert.match(run.stderr, /^too many attempts: try again in \d+ seconds\n$/);

    const json = await home.run(
      ['unseal', ...server(), '--password-stdin', '--json'],
      { stdin: `${PASSWORD}\n` },
    );
    assert.equal(json.status, 1);
    assert.equal(
      (JSON.parse(json.stdout) as { code: string }).code,
      'too_many_attempts',
    );
    assert.deepEqual(await state(), { state: 'sealed' });
  });

  it('refuses an uninitialized vault before asking', async () => {
    await target.h.fresh();
    const run = await home.run(['unseal', ...server()]);
    assert.equal(run.status, 1);
    assert.equal(run.stderr, 'not initialized\n');
  });
});

describe('metacrypt unseal against a terse server', () => {
  it('adds the Retry-After seconds a lockout message leaves out', async () => {
    const stub = await startHttpsStub((request, res) => {
      const [status, body, headers] =
        request.path === '/v1/status'
          ? [200, { state: 'sealed' }, {}]
          : [
              429,
              { error: 'too many attempts', code: 'too_many_attempts' },
              { 'retry-after': '17' },
            ];
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    });
    const home = new CliHome();
    try {
      const piped = await home.run(
        ['unseal', '--addr', stub.url, '--password-stdin'],
        {
          stdin: `${PASSWORD}\n`,
          env: { METACRYPT_CA_CERT: TLS_FILES.caCert },
        },
      );
      assert.equal(piped.status, 1);
      assert.equal(
        piped.stderr,
        'too many attempts: try again in 17 seconds\n',
      );
      // What went to the server: the password as typed, nothing more.
      const sent = stub.requests.find((r) => r.path === '/v1/unseal');
      assert.deepEqual(JSON.parse(sent?.body ?? ''), { password: PASSWORD });
    } finally {
      home.remove();
      await stub.close();
    }
  });
});
