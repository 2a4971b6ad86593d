// `metacrypt policy create`, `list` and `delete`, run as real processes
// against a real server: rules from flags, a file and stdin, the table,
// and a rule that lets alice encrypt, then no longer.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';

import type { CliResult } from '../fixtures/cli-process.js';
import { readyCliTarget } from '../fixtures/cli-target.js';

describe('metacrypt policy', () => {
  const target = readyCliTarget();
  const { home: cli, as, asAdmin } = target;
  const policy = (
    args: readonly string[],
    stdin?: string,
  ): Promise<CliResult> =>
    cli.run(['policy', ...args, ...asAdmin()], {
      ...(stdin === undefined ? {} : { stdin }),
    });
  const aliceEncrypts = (): Promise<CliResult> =>
    cli.run([
      'transit',
      'encrypt',
      'orders',
      '--plaintext',
      'hello',
      ...as(target.alice),
    ]);

  before(async () => {
    const mount = await target.h.call('POST', '/v1/engine/mount', {
      token: target.admin,
      json: { name: 'transit', type: 'transit' },
    });
    assert.equal(mount.status, 201, mount.text);
    const key = await target.h.call(
      'POST',
      '/v1/transit/transit/create-key/orders',
      { token: target.admin },
    );
    assert.equal(key.status, 200, key.text);
  });

  it('says so when there are no rules', async () => {
    const run = await policy(['list']);

    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, 'No policy rules.\n');
  });

  it('creates a rule from flags, lists repeated or comma-separated', async () => {
    const run = await policy([
      'create',
      '--id',
      'users-read',
      '--priority',
      '50',
      '--effect',
      'allow',
      '--role',
      'user,auditor',
      '--resource',
      'engine/transit/get-key',
      '--resource',
      'engine/transit/list-keys',
      '--action',
      'read',
      '--json',
    ]);

    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), {
      id: 'users-read',
      priority: 50,
      effect: 'allow',
      usernames: [],
      roles: ['user', 'auditor'],
      resources: ['engine/transit/get-key', 'engine/transit/list-keys'],
      actions: ['read'],
    });
  });

  it('creates a rule from a JSON file, and from stdin', async () => {
    const path = join(cli.dir, 'rule.json');
    writeFileSync(
      path,
      JSON.stringify({
        id: 'from-file',
        priority: 7,
        effect: 'deny',
        resources: ['engine/archive/*'],
      }) + '\n',
    );
    const file = await policy(['create', '--file', path]);
    assert.equal(file.status, 0, file.stderr);
    assert.equal(file.stdout, 'Created policy rule from-file.\n');

    const stdin = await policy(
      ['create', '-f', '-', '--json'],
      '{"id":"from-stdin","priority":8,"effect":"deny","usernames":["sam"]}',
    );
    assert.equal(stdin.status, 0, stdin.stderr);
    const rule = JSON.parse(stdin.stdout) as { usernames: string[] };
    assert.deepEqual(rule.usernames, ['sam']);
  });

  it('lists the rules as a table in the order they are tried', async () => {
    const run = await policy(['list']);

    assert.equal(run.status, 0, run.stderr);
    const lines = run.stdout.trimEnd().split('\n');
    assert.match(
      lines[0] ?? '',
      /^ID +PRIORITY +EFFECT +USERNAMES +ROLES +RESOURCES +ACTIONS$/,
    );
    assert.match(
      lines[1] ?? '',
      /^from-file +7 +deny +- +- +engine\/archive\/\* +-$/,
    );
    assert.match(lines[2] ?? '', /^from-stdin +8 +deny +sam +- +- +-$/);
    assert.match(
      lines[3] ?? '',
      new RegExp(
        '^users-read +50 +allow +- +user,auditor +' +
          'engine/transit/get-key,engine/transit/list-keys +read$',
      ),
    );
    assert.equal(lines.length, 4);
  });

  it("prints the server's rules with --json", async () => {
    const run = await policy(['list', '--json']);
    assert.equal(run.status, 0, run.stderr);

    const direct = await target.h.call('GET', '/v1/policy/rules', {
      token: target.admin,
    });
    assert.deepEqual(JSON.parse(run.stdout), direct.body);
  });

  it('refuses a rule without its required flags, or with two sources', async () => {
    const noId = await policy([
      'create',
      '--priority',
      '1',
      '--effect',
      'deny',
    ]);
    assert.equal(noId.status, 1);
    assert.equal(
      noId.stderr.trim(),
      '--id is required (or give the whole rule with --file)',
    );

    const both = await policy(['create', '--id', 'x', '--file', '-'], '{}');
    assert.equal(both.status, 1);
    assert.equal(
      both.stderr.trim(),
      '--file gives the whole rule: leave out --id',
    );

    const badJson = await policy(['create', '--file', '-', '--json'], '{"id":');
    assert.equal(badJson.status, 1);
    assert.deepEqual(JSON.parse(badJson.stdout), {
      error: 'stdin is not valid JSON',
      code: 'cli_usage',
    });
  });

  it("passes on the server's refusal of a rule", async () => {
    const glob = await policy([
      'create',
      '--id',
      'all',
      '--priority',
      '1',
      '--effect',
      'allow',
      '--resource',
      'engine/transit/',
    ]);
    assert.equal(glob.status, 1);
    assert.equal(
      glob.stderr.trim(),
      'policy: resources[0]: must not have an empty segment',
    );

    const taken = await policy(
      ['create', '--file', '-'],
      '{"id":"from-file","priority":1,"effect":"allow"}',
    );
    assert.equal(taken.status, 1);
    assert.equal(taken.stderr.trim(), 'policy rule from-file already exists');
  });

  it('is for admins only', async () => {
    const run = await cli.run(['policy', 'list', ...as(target.alice)]);

    assert.equal(run.status, 1);
    assert.equal(run.stderr.trim(), 'forbidden');
  });

  it('lets alice encrypt once a rule allows it, and not after its delete', async () => {
    const before = await aliceEncrypts();
    assert.equal(before.status, 1);
    assert.equal(before.stderr.trim(), 'forbidden');

    const create = await policy([
      'create',
      '--id',
      'alice-encrypt',
      '--priority',
      '100',
      '--effect',
      'allow',
      '--username',
      'alice',
      '--resource',
      'engine/transit/encrypt',
      '--action',
      'encrypt',
    ]);
    assert.equal(create.status, 0, create.stderr);

    const allowed = await aliceEncrypts();
    assert.equal(allowed.status, 0, allowed.stderr);
    assert.match(allowed.stdout, /^metacrypt:v1:/);

    const del = await policy(['delete', 'alice-encrypt', '--json']);
    assert.equal(del.status, 0, del.stderr);
    assert.deepEqual(JSON.parse(del.stdout), {
      id: 'alice-encrypt',
      deleted: true,
    });

    const after = await aliceEncrypts();
    assert.equal(after.status, 1);
    assert.equal(after.stderr.trim(), 'forbidden');
  });

  it('deletes a rule, and says when there is no such rule', async () => {
    const run = await policy(['delete', 'from-file']);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, 'Deleted policy rule from-file.\n');

    const again = await policy(['delete', 'from-file']);
    assert.equal(again.status, 1);
    assert.equal(again.stderr.trim(), 'policy rule from-file not found');
  });
});
