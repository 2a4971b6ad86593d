// What `metacrypt login` stores is used by later commands, as real
// processes: the server and CA file need typing once, and the stored
// token is never sent to another server. Also the one-line usage errors.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { CliHome } from '../fixtures/cli-process.js';
import { readyCliTarget } from '../fixtures/cli-target.js';
import { devUser } from '../fixtures/identity-process.js';

describe('the stored login', () => {
  const target = readyCliTarget();
  const { home: cli, server } = target;

  before(async () => {
    const login = await cli.run(
      ['login', ...server(), '--username', 'admin', '--password-stdin'],
      { stdin: `${devUser('admin').password}\n` },
    );
    assert.equal(login.status, 0, login.stderr);
  });

  it('gives later commands their server and CA file', async () => {
    const status = await cli.run(['status', '--json']);
    assert.equal(status.status, 0, status.stderr);
    const reply = JSON.parse(status.stdout) as { addr: string; state: string };
    assert.equal(reply.addr, target.url);
    assert.equal(reply.state, 'unsealed');

    const list = await cli.run(['engine', 'list', '--json']);
    assert.equal(list.status, 0, list.stderr);
    const { mounts } = JSON.parse(list.stdout) as { mounts: unknown };
    assert.ok(Array.isArray(mounts));
  });

  it('is not sent to another server', async () => {
    const other = 'https://127.0.0.1:1';
    const list = await cli.run(['engine', 'list', '--addr', other]);
    assert.equal(list.status, 1);
    assert.equal(
      list.stderr,
      `not logged in to ${other}: the stored login is for ${target.url}; ` +
        'run metacrypt login --addr, or pass --token\n',
    );
  });

  it('yields to an explicit --token and METACRYPT_ADDR', async () => {
    const token = await target.h.login('alice');
    const run = await cli.run(['engine', 'list', '--json'], {
      env: { METACRYPT_ADDR: target.url, METACRYPT_TOKEN: token },
    });
    assert.equal(run.status, 0, run.stderr);
  });
});

describe('usage errors', () => {
  const cli = new CliHome();
  after(() => {
    cli.remove();
  });

  it('reports a bad flag value in one line, exit 1', async () => {
    const run = await cli.run([
      'transit',
      'encrypt',
      'k',
      '--key-version',
      'x',
    ]);
    assert.equal(run.status, 1);
    assert.equal(
      run.stderr,
      '--key-version: Expected an integer but received: x (see --help)\n',
    );
    assert.equal(run.stdout, '');
  });

  it('reports an unknown flag as JSON with --json', async () => {
    const run = await cli.run(['status', '--bogus', '--json']);
    assert.equal(run.status, 1);
    const reply = JSON.parse(run.stdout) as { code: string; error: string };
    assert.equal(reply.code, 'cli_usage');
    assert.match(reply.error, /--bogus/);
  });
});
