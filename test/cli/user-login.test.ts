// `metacrypt login` and `logout`, run as real processes against a real
// server: prompts on a pseudo-terminal, --password-stdin, TOTP, the token
// file and its modes, --print, and a token that stops working.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { before, describe, it } from 'node:test';

import { decodeBase32, totpCode } from '../../src/dev-identity/index.js';
import type { CliHome } from '../fixtures/cli-process.js';
import { cliTarget } from '../fixtures/cli-target.js';
import { DEV_TOTP_SECRET, devUser } from '../fixtures/identity-process.js';
import { TLS_FILES } from '../fixtures/tls-files.js';

const ALICE = devUser('alice').password;

interface StoredFile {
  addr: string;
  token: string;
  expires_at: string;
}

describe('metacrypt login and logout', () => {
  // A new corner for each test, so no test sees another's token.
  const target = cliTarget();
  const { newHome, server } = target;
  const stored = (cli: CliHome): StoredFile => {
    const file = JSON.parse(
      readFileSync(`${cli.configDir}/token.json`, 'utf8'),
    ) as StoredFile;
    target.h.secret(file.token);
    return file;
  };
  const tokenWorks = async (token: string): Promise<boolean> => {
    const reply = await target.h.call('GET', '/v1/auth/tokeninfo', { token });
    return reply.status === 200;
  };

  before(async () => {
    await target.h.init();
  });

  it('logs in at a hidden prompt and stores the token 0600 in a 0700 dir', async () => {
    const cli = newHome();
    const run = await cli.runTty(
      ['login', ...server(), '--username', 'alice'],
      [{ expect: 'Password: ', send: `${ALICE}\r` }],
    );

    assert.equal(run.status, 0, run.output);
    assert.ok(!run.output.includes(ALICE), 'the password was echoed');
    assert.match(
      run.output,
      /Logged in to https:\/\/127\.0\.0\.1:\d+ as alice/,
    );
    assert.match(run.output, /token\.json until \d{4}-\d\d-\d\dT/);
    assert.equal(statSync(cli.configDir).mode & 0o777, 0o700);
    assert.equal(statSync(`${cli.configDir}/token.json`).mode & 0o777, 0o600);
    const file = stored(cli);
    assert.equal(file.addr, target.url);
    assert.ok(Date.parse(file.expires_at) > Date.now());
    assert.ok(await tokenWorks(file.token));
    assert.ok(!run.output.includes(file.token), 'the token was printed');
  });

  it('asks for the username on the terminal, visibly', async () => {
    const cli = newHome();
    const run = await cli.runTty(
      ['login', ...server()],
      [
        { expect: 'Username: ', send: 'alice\r' },
        { expect: 'Password: ', send: `${ALICE}\r` },
      ],
    );

    assert.equal(run.status, 0, run.output);
    // The name shows as typed; readline may redraw the line around it.
    const shown = run.output.slice(run.output.indexOf('Username: '));
    assert.ok(shown.includes('alice\r'), run.output);
    assert.ok(!run.output.includes(ALICE), 'the password was echoed');
    assert.ok(await tokenWorks(stored(cli).token));
  });

  it('reads the password from stdin and prints JSON without the token', async () => {
    const cli = newHome();
    const run = await cli.run(
      ['login', ...server(), '-u', 'alice', '--password-stdin', '--json'],
      { stdin: `${ALICE}\n` },
    );

    assert.equal(run.status, 0, run.stderr);
    const out = JSON.parse(run.stdout) as Record<string, unknown>;
    assert.deepEqual(Object.keys(out).sort(), [
      'expires_at',
      'token_file',
      'username',
    ]);
    assert.equal(out.username, 'alice');
    assert.equal(out.token_file, `${cli.configDir}/token.json`);
    assert.equal(out.expires_at, stored(cli).expires_at);
  });

  it('finds the server through METACRYPT_ADDR and METACRYPT_CA_CERT', async () => {
    const cli = newHome();
    const run = await cli.run(
      ['login', '--username', 'alice', '--password-stdin'],
      {
        stdin: `${ALICE}\n`,
        env: {
          METACRYPT_ADDR: target.url,
          METACRYPT_CA_CERT: TLS_FILES.caCert,
        },
      },
    );

    assert.equal(run.status, 0, run.stderr);
    assert.ok(await tokenWorks(stored(cli).token));
  });

  it('refuses to ask for a username when stdin is not a terminal', async () => {
    const cli = newHome();
    const run = await cli.run(['login', ...server(), '--password-stdin'], {
      stdin: `${ALICE}\n`,
    });

    assert.equal(run.status, 1);
    assert.equal(run.stderr.trim(), 'stdin is not a terminal: pass --username');
    assert.ok(!existsSync(cli.configDir));
  });

  it('refuses a piped password without --password-stdin', async () => {
    const cli = newHome();
    const run = await cli.run(['login', ...server(), '-u', 'alice'], {
      stdin: `${ALICE}\n`,
    });

    assert.equal(run.status, 1);
    assert.match(run.stderr, /pass --password-stdin/);
  });

  it('logs in a TOTP user with --totp, and refuses one without it', async () => {
    const cli = newHome();
    const password = `${devUser('tess').password}\n`;
    const args = ['login', ...server(), '-u', 'tess', '--password-stdin'];
    const secret = decodeBase32(DEV_TOTP_SECRET);
    assert.ok(secret !== undefined);

    const without = await cli.run(args, { stdin: password });
    assert.equal(without.status, 1);
    assert.equal(without.stderr.trim(), 'invalid credentials');

    const code = totpCode(secret, Date.now());
    const run = await cli.run([...args, '--totp', code], { stdin: password });
    assert.equal(run.status, 0, run.stderr);
    assert.ok(await tokenWorks(stored(cli).token));
  });

  it("exits 1 with the server's message for bad credentials", async () => {
    const cli = newHome();
    const args = ['login', ...server(), '-u', 'alice', '--password-stdin'];

    const text = await cli.run(args, { stdin: 'not her password\n' });
    assert.equal(text.status, 1);
    assert.equal(text.stderr.trim(), 'invalid credentials');
    assert.equal(text.stdout, '');

    const json = await cli.run([...args, '--json'], {
      stdin: 'not her password\n',
    });
    assert.equal(json.status, 1);
    assert.deepEqual(JSON.parse(json.stdout), {
      error: 'invalid credentials',
      code: 'invalid_credentials',
    });
    assert.ok(!existsSync(cli.configDir));
  });

  it('passes on login_denied for a disabled account', async () => {
    const cli = newHome();
    const run = await cli.run(
      ['login', ...server(), '-u', 'dana', '--password-stdin', '--json'],
      { stdin: `${devUser('dana').password}\n` },
    );

    assert.equal(run.status, 1);
    assert.equal(
      (JSON.parse(run.stdout) as { code: string }).code,
      'login_denied',
    );
  });

  it('prints only the token with --print and stores nothing', async () => {
    const cli = newHome();
    const args = ['login', ...server(), '-u', 'alice', '--password-stdin'];

    const run = await cli.run([...args, '--print'], { stdin: `${ALICE}\n` });
    assert.equal(run.status, 0, run.stderr);
    const lines = run.stdout.split('\n');
    assert.equal(lines.length, 2);
    assert.equal(lines[1], '');
    const token = lines[0] ?? '';
    target.h.secret(token);
    assert.ok(await tokenWorks(token));
    assert.ok(!existsSync(cli.configDir));

    const json = await cli.run([...args, '--print', '--json'], {
      stdin: `${ALICE}\n`,
    });
    assert.equal(json.status, 0, json.stderr);
    const out = JSON.parse(json.stdout) as Record<string, unknown>;
    assert.equal(typeof out.token, 'string');
    target.h.secret(String(out.token));
    assert.equal(out.token_file, null);
    assert.ok(!existsSync(cli.configDir));
  });

  it('says to pass --ca-cert when the CA is not trusted', async () => {
    const cli = newHome();
    const run = await cli.run(
      ['login', '--addr', target.url, '-u', 'alice', '--password-stdin'],
      { stdin: `${ALICE}\n` },
    );

    assert.equal(run.status, 1);
    assert.match(run.stderr, /certificate not trusted \(pass --ca-cert\)/);
  });

  it('logs out: the token stops working and the file goes', async () => {
    const cli = newHome();
    await cli.run(['login', ...server(), '-u', 'alice', '--password-stdin'], {
      stdin: `${ALICE}\n`,
    });
    const { token } = stored(cli);

    const run = await cli.run(['logout', ...server(), '--json']);
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), {
      was_valid: true,
      token_file_removed: `${cli.configDir}/token.json`,
    });
    assert.ok(!existsSync(`${cli.configDir}/token.json`));
    assert.equal(await tokenWorks(token), false);
  });

  it('removes the file of a token already invalid, and exits 0', async () => {
    const cli = newHome();
    await cli.run(['login', ...server(), '-u', 'alice', '--password-stdin'], {
      stdin: `${ALICE}\n`,
    });
    const { token } = stored(cli);
    await target.h.call('POST', '/v1/auth/logout', { token });

    const run = await cli.run(['logout', ...server()]);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^The token was already invalid/);
    assert.match(run.stdout, /Removed .*token\.json\./);
    assert.ok(!existsSync(`${cli.configDir}/token.json`));
  });

  it('keeps the stored token when --token ends another one', async () => {
    const cli = newHome();
    await cli.run(['login', ...server(), '-u', 'alice', '--password-stdin'], {
      stdin: `${ALICE}\n`,
    });
    const { token } = stored(cli);
    const other = await target.h.login('alice');

    const run = await cli.run(['logout', ...server()], {
      env: { METACRYPT_TOKEN: other },
    });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout.trim(), 'Logged out.');
    assert.equal(await tokenWorks(other), false);
    assert.ok(await tokenWorks(token));
  });

  it('says how to log in when there is no token', async () => {
    const cli = newHome();
    const run = await cli.run(['logout', ...server()]);

    assert.equal(run.status, 1);
    assert.equal(
      run.stderr.trim(),
      'not logged in: run metacrypt login, or set METACRYPT_TOKEN',
    );
  });
});
