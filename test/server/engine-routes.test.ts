// Engines through the API: types, mounts for admins, requests checked
// against each operation's schema and the policy, unmounts that take
// every entry, and mounts that come back after a restart and an unseal.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { errorOf, Harness } from './harness.js';

describe('engine routes', () => {
  let h: Harness;
  let admin: string;
  let alice: string;

  before(async () => {
    ({ h, admin, alice } = await Harness.startReady());
  });

  after(async () => {
    await h.close();
  });

  const request = (
    token: string,
    mount: string,
    operation: string,
    data?: unknown,
  ): ReturnType<Harness['call']> =>
    h.call('POST', '/v1/engine/request', {
      token,
      json: { mount, operation, ...(data === undefined ? {} : { data }) },
    });

  it('lists the engine types with their operations', async () => {
    const reply = await h.call('GET', '/v1/engine/types', { token: alice });
    assert.equal(reply.status, 200);
    const { types } = reply.body as {
      types: { type: string; operations: { name: string }[] }[];
    };
    assert.deepEqual(
      types.map((t) => t.type),
      ['notes', 'transit'],
    );
    const notes = types.find((t) => t.type === 'notes');
    const wipe = (notes?.operations ?? []).find((o) => o.name === 'wipe');
    assert.deepEqual(wipe, {
      name: 'wipe',
      summary: 'Delete every note.',
      action: 'write',
      admin_only: true,
    });
  });

  it('mounts for admins and lists for every user', async () => {
    const mount = await h.call('POST', '/v1/engine/mount', {
      token: admin,
      json: { name: 'n1', type: 'notes', config: { colour: 'red' } },
    });
    assert.equal(mount.status, 201, mount.text);
    const info = mount.body as Record<string, unknown>;
    assert.deepEqual(
      { ...info, created_at: typeof info.created_at },
      {
        name: 'n1',
        type: 'notes',
        config: { colour: 'red' },
        created_at: 'string',
      },
    );
    const list = await h.call('GET', '/v1/engine/mounts', { token: alice });
    assert.deepEqual(list.body, { mounts: [info] });
  });

  it('refuses bad mounts with a message naming the field', async () => {
    const cases: [unknown, number, string][] = [
      [{ name: 'n1', type: 'notes' }, 409, 'mount n1 already exists'],
      [
        { name: 'a/b', type: 'notes' },
        400,
        'name: a mount name is 1 to 64 letters, digits, "_" or "-", ' +
          'starting with a letter or digit',
      ],
      [
        { name: 'x', type: 'vault' },
        400,
        'type: unknown engine type "vault"; known: notes, transit',
      ],
      [
        { name: 'x', type: 'notes', config: { shade: 'blue' } },
        400,
        'unknown field config.shade',
      ],
      [
        { name: 'x', type: 'notes', config: { colour: 7 } },
        400,
        'config.colour: must be a string',
      ],
      [{ type: 'notes' }, 400, 'name: is required'],
      [
        { name: 'x', type: 'notes', config: [] },
        400,
        'config: must be an object',
      ],
    ];
    for (const [json, status, error] of cases) {
      const reply = await h.call('POST', '/v1/engine/mount', {
        token: admin,
        json,
      });
      assert.equal(reply.status, status, JSON.stringify(json));
      assert.equal(errorOf(reply).error, error, JSON.stringify(json));
    }
    const list = await h.call('GET', '/v1/engine/mounts', { token: admin });
    assert.deepEqual(
      (list.body as { mounts: { name: string }[] }).mounts.map((m) => m.name),
      ['n1'],
    );
  });

  it('runs requests in the key worker for a caller the policy allows', async () => {
    const put = await request(admin, 'n1', 'put', { name: 'a', text: 'hi' });
    assert.equal(put.status, 200, put.text);
    assert.deepEqual(put.body, { stored: 'a' });
    const get = await request(admin, 'n1', 'get', { name: 'a' });
    assert.deepEqual(get.body, { text: 'hi' });
    const who = await request(admin, 'n1', 'whoami');
    assert.deepEqual(who.body, { username: 'admin' });

    // No rule names alice: denied by default.
    const denied = await request(alice, 'n1', 'get', { name: 'a' });
    assert.equal(denied.status, 403);
    assert.deepEqual(errorOf(denied), {
      error: 'forbidden',
      code: 'forbidden',
    });
    assert.ok(
      h.logLines.some(
        (l) =>
          l.includes('engine request refused') &&
          l.includes('"resource":"engine/n1/get"') &&
          l.includes('"reason":"no_match"'),
      ),
    );
  });

  it('checks the input against the operation schema, naming the field', async () => {
    const cases: [string, unknown, number, string][] = [
      ['put', { name: 'a' }, 400, 'data.text: is required'],
      [
        'put',
        { name: 'A B', text: 'x' },
        400,
        'data.name: must be 1 to 32 of a-z, 0-9 and -',
      ],
      [
        'put',
        { name: 'a', text: 'x', more: 1 },
        400,
        'unknown field data.more',
      ],
      ['put', 'text', 400, 'data: must be a JSON object'],
      ['get', undefined, 400, 'data.name: is required'],
      ['teleport', {}, 404, 'operation "teleport" not found on notes mount n1'],
    ];
    for (const [operation, data, status, error] of cases) {
      const reply = await request(admin, 'n1', operation, data);
      assert.equal(
        reply.status,
        status,
        `${operation} ${JSON.stringify(data)}`,
      );
      assert.equal(errorOf(reply).error, error);
    }
    const none = await request(admin, 'ghost', 'list', {});
    assert.equal(none.status, 404);
    assert.equal(errorOf(none).error, 'mount ghost not found');
    const missing = await request(admin, 'n1', 'get', { name: 'zzz' });
    assert.equal(missing.status, 404);
  });

  it('unmounts with everything under the mount', async () => {
    await h.call('POST', '/v1/engine/mount', {
      token: admin,
      json: { name: 'gone', type: 'notes' },
    });
    for (const name of ['a', 'b']) {
      await request(admin, 'gone', 'put', { name, text: name });
    }
    const refused = await h.call('POST', '/v1/engine/unmount', {
      token: alice,
      json: { name: 'gone' },
    });
    assert.equal(refused.status, 403);
    const unmount = await h.call('POST', '/v1/engine/unmount', {
      token: admin,
      json: { name: 'gone' },
    });
    assert.equal(unmount.status, 200);
    assert.deepEqual(unmount.body, { name: 'gone', entries_deleted: 2 });
    assert.equal((await request(admin, 'gone', 'list', {})).status, 404);
    const again = await h.call('POST', '/v1/engine/unmount', {
      token: admin,
      json: { name: 'gone' },
    });
    assert.equal(again.status, 404);
    assert.equal(errorOf(again).error, 'mount gone not found');
  });

  it('brings mounts and their data back after a restart and an unseal', async () => {
    await h.restart();
    const sealed = await request(admin, 'n1', 'get', { name: 'a' });
    assert.equal(sealed.status, 503);
    await h.unseal();
    const get = await request(admin, 'n1', 'get', { name: 'a' });
    assert.deepEqual(get.body, { text: 'hi' });
    const list = await h.call('GET', '/v1/engine/mounts', { token: admin });
    assert.deepEqual(
      (list.body as { mounts: { name: string }[] }).mounts.map((m) => m.name),
      ['n1'],
    );
  });
});
