// `metacrypt engine mount`, `unmount` and `list`, run as real processes
// against a real server: the admin check, the table, --json, and where
// the token comes from (flag, METACRYPT_TOKEN, the stored file).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { CliHome } from '../fixtures/cli-process.js';
import { readyCliTarget } from '../fixtures/cli-target.js';
import { devUser } from '../fixtures/identity-process.js';
import { TLS_FILES } from '../fixtures/tls-files.js';

describe('metacrypt engine', () => {
  const target = readyCliTarget();
  const { home: cli, server, as, asAdmin } = target;

  it('mounts an engine as admin and prints the mount with --json', async () => {
    const run = await cli.run([
      'engine',
      'mount',
      'notes',
      '--type',
      'notes',
      '--engine-config',
      '{"colour":"green"}',
      '--json',
      ...asAdmin(),
    ]);

    assert.equal(run.status, 0, run.stderr);
    const mount = JSON.parse(run.stdout) as Record<string, unknown>;
    assert.equal(mount.name, 'notes');
    assert.equal(mount.type, 'notes');
    assert.deepEqual(mount.config, { colour: 'green' });
    assert.equal(typeof mount.created_at, 'string');
  });

  it('says what it mounted in text', async () => {
    const run = await cli.run([
      'engine',
      'mount',
      'transit',
      '-t',
      'transit',
      ...asAdmin(),
    ]);

    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, 'Mounted transit at transit.\n');
  });

  it("refuses a user's mount with the server's 403 message", async () => {
    const run = await cli.run([
      'engine',
      'mount',
      'mine',
      '--type',
      'transit',
      ...as(target.alice),
    ]);

    assert.equal(run.status, 1);
    assert.equal(run.stderr.trim(), 'forbidden');

    const json = await cli.run([
      'engine',
      'mount',
      'mine',
      '--type',
      'transit',
      '--json',
      ...as(target.alice),
    ]);
    assert.equal(json.status, 1);
    assert.deepEqual(JSON.parse(json.stdout), {
      error: 'forbidden',
      code: 'forbidden',
    });
  });

  it('passes on the refusal of an unknown type and a taken name', async () => {
    const unknown = await cli.run([
      'engine',
      'mount',
      'kms',
      '--type',
      'kms',
      ...asAdmin(),
    ]);
    assert.equal(unknown.status, 1);
    assert.equal(
      unknown.stderr.trim(),
      'type: unknown engine type "kms"; known: notes, transit',
    );

    const taken = await cli.run([
      'engine',
      'mount',
      'notes',
      '--type',
      'notes',
      ...asAdmin(),
    ]);
    assert.equal(taken.status, 1);
    assert.equal(taken.stderr.trim(), 'mount notes already exists');
  });

  it('refuses an --engine-config that is not a JSON object', async () => {
    for (const config of ['{colour', '["green"]']) {
      const run = await cli.run([
        'engine',
        'mount',
        'notes2',
        '--type',
        'notes',
        '--engine-config',
        config,
        '--json',
        ...asAdmin(),
      ]);
      assert.equal(run.status, 1);
      const out = JSON.parse(run.stdout) as { code: string; error: string };
      assert.equal(out.code, 'cli_usage');
      assert.match(out.error, /^--engine-config /);
    }
  });

  it('lists the mounts as a table, for any user', async () => {
    const run = await cli.run(['engine', 'list', ...as(target.alice)]);

    assert.equal(run.status, 0, run.stderr);
    const lines = run.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 3);
    assert.match(lines[0] ?? '', /^NAME +TYPE +MOUNTED +CONFIG$/);
    assert.match(lines[1] ?? '', /^notes +notes +\S+Z +\{"colour":"green"\}$/);
    assert.match(lines[2] ?? '', /^transit +transit +\S+Z +-$/);
  });

  it("prints the server's list with --json", async () => {
    const run = await cli.run(['engine', 'list', '--json', ...asAdmin()]);
    assert.equal(run.status, 0, run.stderr);

    const direct = await target.h.call('GET', '/v1/engine/mounts', {
      token: target.admin,
    });
    assert.deepEqual(JSON.parse(run.stdout), direct.body);
  });

  it('takes the token from METACRYPT_TOKEN and the address from the env', async () => {
    const run = await cli.run(['engine', 'list', '--json'], {
      env: {
        METACRYPT_ADDR: target.url,
        METACRYPT_CA_CERT: TLS_FILES.caCert,
        METACRYPT_TOKEN: target.alice,
      },
    });

    assert.equal(run.status, 0, run.stderr);
    const { mounts } = JSON.parse(run.stdout) as { mounts: unknown[] };
    assert.equal(mounts.length, 2);
  });

  it('uses the token login stored', async () => {
    const home = new CliHome();
    try {
      const login = await home.run(
        ['login', ...server(), '-u', 'admin', '--password-stdin'],
        { stdin: `${devUser('admin').password}\n` },
      );
      assert.equal(login.status, 0, login.stderr);

      const run = await home.run(['engine', 'list', ...server()]);
      assert.equal(run.status, 0, run.stderr);
      assert.match(run.stdout, /^transit +transit /m);
    } finally {
      await home.run(['logout', ...server()]);
      home.remove();
    }
  });

  it('says how to log in when there is no token', async () => {
    const run = await cli.run(['engine', 'list', ...server()]);

    assert.equal(run.status, 1);
    assert.equal(
      run.stderr.trim(),
      'not logged in: run metacrypt login, or set METACRYPT_TOKEN',
    );
  });

  it('unmounts, then refuses a mount that is gone', async () => {
    const run = await cli.run(['engine', 'unmount', 'notes', ...asAdmin()]);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, 'Unmounted notes; 0 stored entries deleted.\n');

    const again = await cli.run([
      'engine',
      'unmount',
      'notes',
      '--json',
      ...asAdmin(),
    ]);
    assert.equal(again.status, 1);
    assert.deepEqual(JSON.parse(again.stdout), {
      error: 'mount notes not found',
      code: 'not_found',
    });
  });

  it('refuses a user an unmount', async () => {
    const run = await cli.run([
      'engine',
      'unmount',
      'transit',
      ...as(target.alice),
    ]);

    assert.equal(run.status, 1);
    assert.equal(run.stderr.trim(), 'forbidden');
  });
});
