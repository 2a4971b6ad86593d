// `metacrypt init`, run as a real process: through a running server with
// --addr, and directly on the database file, after which a `metacrypt
// server` starts sealed and opens with the password typed at init.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import { CliHome } from '../fixtures/cli-process.js';
import { addrFlags, cliTarget } from '../fixtures/cli-target.js';
import { closedPort } from '../fixtures/stub-servers.js';
import {
  startServerProcess,
  writeServerConfig,
} from '../fixtures/server-process.js';
import { TLS_FILES } from '../fixtures/tls-files.js';
import { PASSWORD } from '../keyworker/vault-scratch.js';

const NOT_A_TERMINAL =
  'stdin is not a terminal: pass --password-stdin to read the password ' +
  'from it\n';

describe('metacrypt init --addr', () => {
  const target = cliTarget();
  const { home, server } = target;
  const state = async (): Promise<unknown> =>
    (await target.h.call('GET', '/v1/status')).body;

  it('refuses a stdin that is not a terminal without --password-stdin', async () => {
    const run = await home.run(['init', ...server()], { stdin: PASSWORD });
    assert.equal(run.status, 1);
    assert.equal(run.stderr, NOT_A_TERMINAL);
    assert.deepEqual(await state(), { state: 'uninitialized' });
  });

  it('refuses two different passwords typed at the prompt', async () => {
    const tty = await home.runTty(
      ['init', ...server()],
      [
        { expect: 'Seal password: ', send: `${PASSWORD}\r` },
        { expect: 'Repeat seal password: ', send: 'not the same one\r' },
      ],
    );
    assert.equal(tty.status, 1, tty.output);
    assert.match(tty.output, /passwords do not match/);
    assert.ok(!tty.output.includes(PASSWORD), 'the password was echoed');
    assert.ok(!tty.output.includes('not the same one'));
    assert.deepEqual(await state(), { state: 'uninitialized' });
  });

  it('initializes through the server from the prompt, unsealed', async () => {
    const tty = await home.runTty(
      ['init', ...server()],
      [
        { expect: 'Seal password: ', send: `${PASSWORD}\r` },
        { expect: 'Repeat seal password: ', send: `${PASSWORD}\r` },
      ],
    );
    assert.equal(tty.status, 0, tty.output);
    assert.match(
      tty.output,
      new RegExp(`Initialized the vault at ${target.url}; it is unsealed\\.`),
    );
    assert.ok(!tty.output.includes(PASSWORD), 'the password was echoed');
    assert.deepEqual(await state(), { state: 'unsealed' });
  });

  it('refuses a second init with the server code, before asking', async () => {
    const run = await home.run(['init', ...server(), '--json']);
    assert.equal(run.status, 1);
    assert.deepEqual(JSON.parse(run.stdout), {
      error: 'already initialized',
      code: 'already_initialized',
    });
  });

  it('reads one line with --password-stdin, the server from the env', async () => {
    await target.h.fresh();
    const run = await home.run(['init', '--password-stdin', '--json'], {
      stdin: `${PASSWORD}\n`,
      env: { METACRYPT_ADDR: target.url, METACRYPT_CA_CERT: TLS_FILES.caCert },
    });
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), {
      initialized: true,
      state: 'unsealed',
      addr: target.url,
    });
    assert.deepEqual(await state(), { state: 'unsealed' });

    // The password is the one the server keeps: it unseals after a seal.
    const admin = await target.h.login('admin');
    await target.h.call('POST', '/v1/seal', { token: admin });
    await target.h.unseal();
  });

  it('passes on the server refusing a short password', async () => {
    await target.h.fresh();
    const run = await home.run(['init', ...server(), '--password-stdin'], {
      stdin: 'too short\n',
    });
    assert.equal(run.status, 1);
    assert.equal(run.stderr, 'password must be at least 12 characters\n');
    assert.deepEqual(await state(), { state: 'uninitialized' });
  });
});

describe('metacrypt init on the database', () => {
  const work = mkdtempSync(join(tmpdir(), 'metacrypt-init-cli-'));
  const home = new CliHome();
  after(() => {
    home.remove();
    rmSync(work, { recursive: true, force: true });
  });
  const config = (name: string): { path: string; database: string } => {
    const database = join(work, `${name}.db`);
    return {
      path: writeServerConfig(join(work, `${name}.toml`), { database }),
      database,
    };
  };

  it('initializes the file sealed; the server starts sealed and unseals', async () => {
    const { path, database } = config('direct');
    const run = await home.run(
      ['init', '--config', path, '--password-stdin', '--json'],
      { stdin: `${PASSWORD}\n` },
    );
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), {
      initialized: true,
      state: 'sealed',
      database,
    });
    assert.equal(run.stderr, '');

    const server = await startServerProcess(path, work);
    try {
      const addr = addrFlags(server.url);
      const status = await home.run(['status', ...addr, '--json']);
      assert.equal(status.status, 2, status.stderr);
      assert.deepEqual(JSON.parse(status.stdout), {
        addr: server.url,
        state: 'sealed',
      });

      const wrong = await home.run(['unseal', ...addr, '--password-stdin'], {
        stdin: 'a different password\n',
      });
      assert.equal(wrong.status, 1);
      assert.equal(wrong.stderr, 'invalid password\n');

      const right = await home.run(['unseal', ...addr, '--password-stdin'], {
        stdin: `${PASSWORD}\n`,
      });
      assert.equal(right.status, 0, right.stderr);
      assert.equal(right.stdout, `${server.url}: unsealed\n`);
    } finally {
      assert.equal(await server.stop(), 0, server.output());
    }
    assert.ok(!server.output().includes(PASSWORD));
  });

  it('refuses an initialized database with already_initialized', async () => {
    const { path } = config('direct');
    const run = await home.run(['init', '--config', path, '--json']);
    assert.equal(run.status, 1);
    assert.deepEqual(JSON.parse(run.stdout), {
      error: 'already initialized',
      code: 'already_initialized',
    });
  });

  it('asks twice at the prompt and never echoes', async () => {
    const { path, database } = config('prompted');
    const tty = await home.runTty(
      ['init', '--config', path],
      [
        { expect: 'Seal password: ', send: `${PASSWORD}\r` },
        { expect: 'Repeat seal password: ', send: `${PASSWORD}\r` },
      ],
    );
    assert.equal(tty.status, 0, tty.output);
    assert.match(
      tty.output,
      new RegExp(`Initialized the vault in ${database}; it is sealed\\.`),
    );
    assert.ok(!tty.output.includes(PASSWORD), 'the password was echoed');
  });

  it('finds the file through METACRYPT_CONFIG', async () => {
    const { path, database } = config('from-env');
    const run = await home.run(['init', '--password-stdin', '--json'], {
      stdin: `${PASSWORD}\n`,
      env: { METACRYPT_CONFIG: path },
    });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(
      (JSON.parse(run.stdout) as { database: string }).database,
      database,
    );
  });

  it('takes a typed --config over METACRYPT_ADDR', async () => {
    const { path, database } = config('typed');
    const unused = `https://127.0.0.1:${String(await closedPort())}`;
    const run = await home.run(
      ['init', '-c', path, '--password-stdin', '--json'],
      { stdin: `${PASSWORD}\n`, env: { METACRYPT_ADDR: unused } },
    );
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), {
      initialized: true,
      state: 'sealed',
      database,
    });
  });

  it('refuses --addr and --config typed together', async () => {
    const { path, database } = config('both');
    const run = await home.run([
      'init',
      '--config',
      path,
      '--addr',
      'https://localhost:8443',
    ]);
    assert.equal(run.status, 1);
    assert.equal(
      run.stderr,
      'give --addr to initialize through a running server, or --config ' +
        'to initialize its database directly, not both\n',
    );
    assert.ok(!existsSync(database));
  });

  it('refuses a short password and leaves the vault uninitialized', async () => {
    const { path } = config('short');
    const short = await home.run(['init', '-c', path, '--password-stdin'], {
      stdin: 'too short\n',
    });
    assert.equal(short.status, 1);
    assert.equal(short.stderr, 'password must be at least 12 characters\n');

    const retry = await home.run(['init', '-c', path, '--password-stdin'], {
      stdin: `${PASSWORD}\n`,
    });
    assert.equal(retry.status, 0, retry.stderr);
  });

  it('names a database directory that does not exist', async () => {
    const database = join(work, 'no-such-dir', 'vault.db');
    const path = writeServerConfig(join(work, 'no-dir.toml'), { database });
    const run = await home.run(['init', '-c', path, '--password-stdin'], {
      stdin: `${PASSWORD}\n`,
    });
    assert.equal(run.status, 1);
    assert.equal(
      run.stderr,
      `db: create file: no such file or directory (${database})\n`,
    );
  });
});
