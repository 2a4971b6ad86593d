// Policy through the API: rule CRUD for admins with errors that name the
// field, and the rules deciding engine requests exactly as DESIGN.md §7
// says (priority order, first match, deny by default, names in any case,
// `*` within one segment, admin-only operations never granted).
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';

import { errorOf, Harness } from './harness.js';
import type { Reply } from './harness.js';

describe('policy routes', () => {
  let h: Harness;
  let admin: string;
  let alice: string;

  before(async () => {
    ({ h, admin, alice } = await Harness.startReady());
    for (const name of ['n1', 'n2']) {
      await h.call('POST', '/v1/engine/mount', {
        token: admin,
        json: { name, type: 'notes' },
      });
      await request(admin, name, 'put', { name: 'a', text: name });
    }
  });

  after(async () => {
    await h.close();
  });

  // Each test starts with no rules.
  beforeEach(async () => {
    const list = await h.call('GET', '/v1/policy/rules', { token: admin });
    for (const rule of (list.body as { rules: { id: string }[] }).rules) {
      await h.call('DELETE', `/v1/policy/rule/${rule.id}`, { token: admin });
    }
  });

  function request(
    token: string,
    mount: string,
    operation: string,
    data: unknown = {},
  ): Promise<Reply> {
    return h.call('POST', '/v1/engine/request', {
      token,
      json: { mount, operation, data },
    });
  }

  async function rule(json: Record<string, unknown>): Promise<void> {
    const reply = await h.call('POST', '/v1/policy/rules', {
      token: admin,
      json,
    });
    assert.equal(reply.status, 201, reply.text);
  }

  // The status alice gets for an operation on a mount.
  async function aliceGets(mount: string, operation: string): Promise<number> {
    const data = operation === 'get' ? { name: 'a' } : {};
    return (await request(alice, mount, operation, data)).status;
  }

  it('creates, reads, replaces and deletes rules', async () => {
    const created = await h.call('POST', '/v1/policy/rules', {
      token: admin,
      json: { id: 'r1', priority: 10, effect: 'allow', usernames: ['alice'] },
    });
    assert.equal(created.status, 201);
    assert.deepEqual(created.body, {
      id: 'r1',
      priority: 10,
      effect: 'allow',
      usernames: ['alice'],
      roles: [],
      resources: [],
      actions: [],
    });
    const read = await h.call('GET', '/v1/policy/rule/r1', { token: admin });
    assert.deepEqual(read.body, created.body);

    const replaced = await h.call('PUT', '/v1/policy/rule/r1', {
      token: admin,
      json: { priority: 20, effect: 'deny' },
    });
    assert.equal(replaced.status, 200);
    assert.equal((replaced.body as { effect: string }).effect, 'deny');
    const upserted = await h.call('PUT', '/v1/policy/rule/r2', {
      token: admin,
      json: { id: 'r2', priority: 5, effect: 'allow' },
    });
    assert.equal(upserted.status, 201);

    const list = await h.call('GET', '/v1/policy/rules', { token: admin });
    assert.deepEqual(
      (list.body as { rules: { id: string }[] }).rules.map((r) => r.id),
      ['r2', 'r1'],
    );
    const deleted = await h.call('DELETE', '/v1/policy/rule/r1', {
      token: admin,
    });
    assert.equal(deleted.status, 204);
    const gone = await h.call('GET', '/v1/policy/rule/r1', { token: admin });
    assert.equal(gone.status, 404);
    assert.equal(errorOf(gone).code, 'not_found');
    const again = await h.call('DELETE', '/v1/policy/rule/r1', {
      token: admin,
    });
    assert.equal(again.status, 404);
  });

  it('refuses bad rules with a message that names the field', async () => {
    await rule({ id: 'dup', priority: 1, effect: 'allow' });
    const cases: [string, string, unknown, number, string][] = [
      [
        'POST',
        '/v1/policy/rules',
        { id: 'dup', priority: 1, effect: 'allow' },
        409,
        'already_exists',
      ],
      ['POST', '/v1/policy/rules', { id: 'x', priority: 1 }, 400, 'effect'],
      [
        'POST',
        '/v1/policy/rules',
        { id: 'x', priority: -1, effect: 'allow' },
        400,
        'priority',
      ],
      [
        'POST',
        '/v1/policy/rules',
        { id: 'x', priority: 1.5, effect: 'allow' },
        400,
        'priority',
      ],
      [
        'POST',
        '/v1/policy/rules',
        { id: 'x', priority: 1, effect: 'maybe' },
        400,
        'effect',
      ],
      [
        'POST',
        '/v1/policy/rules',
        { id: 'x', priority: 1, effect: 'allow', actions: ['read', 'fly'] },
        400,
        'actions[1]',
      ],
      [
        'POST',
        '/v1/policy/rules',
        { id: '../x', priority: 1, effect: 'allow' },
        400,
        'id',
      ],
      [
        'POST',
        '/v1/policy/rules',
        { id: 'x', priority: 1, effect: 'allow', colour: 1 },
        400,
        'colour',
      ],
      [
        'POST',
        '/v1/policy/rules',
        { id: 'x', priority: 1, effect: 'allow', resources: ['engine/**'] },
        400,
        'resources[0]',
      ],
      [
        'PUT',
        '/v1/policy/rule/x',
        { id: 'y', priority: 1, effect: 'allow' },
        400,
        'id',
      ],
      [
        'PUT',
        '/v1/policy/rule/bad%20id',
        { priority: 1, effect: 'allow' },
        400,
        'id',
      ],
      ['POST', '/v1/policy/rules', [1, 2], 400, 'policy'],
    ];
    for (const [method, path, json, status, field] of cases) {
      const reply = await h.call(method, path, { token: admin, json });
      const label = `${method} ${path} ${JSON.stringify(json)}`;
      assert.equal(reply.status, status, `${label}: ${reply.text}`);
      const { error, code } = errorOf(reply);
      if (status === 400) {
        assert.equal(code, 'bad_request');
        assert.ok(error.includes(field), `${label}: ${error}`);
      } else {
        assert.equal(code, field);
      }
    }
    const list = await h.call('GET', '/v1/policy/rules', { token: admin });
    assert.equal((list.body as { rules: unknown[] }).rules.length, 1);
  });

  it('denies by default and allows what a rule allows', async () => {
    assert.equal(await aliceGets('n1', 'get'), 403);
    await rule({
      id: 'read-n1',
      priority: 10,
      effect: 'allow',
      usernames: ['alice'],
      resources: ['engine/n1/*'],
      actions: ['read'],
    });
    assert.equal(await aliceGets('n1', 'get'), 200);
    assert.equal(await aliceGets('n1', 'list'), 200);
    // Another action, another mount: no rule matches.
    assert.equal(await aliceGets('n1', 'mac'), 403);
    assert.equal(
      (await request(alice, 'n1', 'put', { name: 'b', text: 'x' })).status,
      403,
    );
    assert.equal(await aliceGets('n2', 'get'), 403);
  });

  it('lets the lowest priority number decide, first match wins', async () => {
    await rule({
      id: 'allow-all',
      priority: 10,
      effect: 'allow',
      usernames: ['alice'],
      actions: ['any'],
    });
    await rule({
      id: 'deny-list',
      priority: 5,
      effect: 'deny',
      resources: ['engine/n1/list'],
    });
    assert.equal(await aliceGets('n1', 'list'), 403);
    assert.equal(await aliceGets('n1', 'get'), 200);
    assert.equal(await aliceGets('n2', 'list'), 200);

    const moved = await h.call('PUT', '/v1/policy/rule/deny-list', {
      token: admin,
      json: { priority: 20, effect: 'deny', resources: ['engine/n1/list'] },
    });
    assert.equal(moved.status, 200);
    assert.equal(await aliceGets('n1', 'list'), 200);
  });

  it('compares usernames and roles without regard to case', async () => {
    await rule({
      id: 'by-name',
      priority: 1,
      effect: 'allow',
      usernames: ['ALICE'],
      resources: ['engine/n1/get'],
    });
    await rule({
      id: 'by-role',
      priority: 2,
      effect: 'allow',
      roles: ['User'],
      resources: ['engine/n2/get'],
    });
    assert.equal(await aliceGets('n1', 'get'), 200);
    assert.equal(await aliceGets('n2', 'get'), 200);
    assert.equal(await aliceGets('n1', 'list'), 403);
  });

  it('keeps * within one path segment', async () => {
    await rule({
      id: 'any-mount',
      priority: 1,
      effect: 'allow',
      resources: ['engine/*/get'],
    });
    await rule({
      id: 'too-short',
      priority: 2,
      effect: 'allow',
      resources: ['engine/*'],
    });
    await rule({
      id: 'prefix',
      priority: 3,
      effect: 'allow',
      resources: ['engine/n*/li*'],
    });
    assert.equal(await aliceGets('n1', 'get'), 200);
    assert.equal(await aliceGets('n2', 'get'), 200);
    assert.equal(await aliceGets('n1', 'list'), 200);
    assert.equal(await aliceGets('n1', 'whoami'), 403);
  });

  it('never grants an admin-only operation by a rule', async () => {
    await rule({
      id: 'everything',
      priority: 0,
      effect: 'allow',
      usernames: ['alice'],
      resources: ['engine/*/*'],
      actions: ['any'],
    });
    assert.equal(await aliceGets('n1', 'whoami'), 200);
    assert.equal(await aliceGets('n1', 'wipe'), 403);
    assert.equal(await aliceGets('n1', 'make-key'), 403);
    assert.ok(
      h.logLines.some(
        (l) =>
          l.includes('"resource":"engine/n1/wipe"') &&
          l.includes('"reason":"admin_only"'),
      ),
    );
    // Admins pass without any rule naming them.
    assert.equal((await request(admin, 'n2', 'make-key')).status, 200);
  });

  it('keeps rules across a seal, an unseal and a restart', async () => {
    await rule({
      id: 'kept',
      priority: 1,
      effect: 'allow',
      usernames: ['alice'],
      resources: ['engine/n1/get'],
    });
    assert.equal(await aliceGets('n1', 'get'), 200);
    await h.call('POST', '/v1/seal', { token: admin });
    assert.equal(await aliceGets('n1', 'get'), 503);
    await h.unseal();
    assert.equal(await aliceGets('n1', 'get'), 200);
    await h.restart();
    await h.unseal();
    assert.equal(await aliceGets('n1', 'get'), 200);
    const read = await h.call('GET', '/v1/policy/rule/kept', { token: admin });
    assert.equal(read.status, 200);
  });
});
