// Engines inside the key worker: mounts with their data keys and records,
// requests routed to each mount's core over its own storage, unmounts that
// take everything with them, and cores closed (keys wiped) at seal.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';

import { isAllZero } from '../../src/crypto/index.js';
import { KeyWorkerClient } from '../../src/keyworker/index.js';
import { EngineHost } from '../../src/keyworker/engine-host.js';
import { openedKeys, engineCore } from '../fixtures/engines/notes-core.js';
import { makeTempDir, removeDir } from '../db/scratch.js';
import { isCode } from '../errors/thrown-error.js';
import { bytes, openVault, PASSWORD, workerOptions } from './vault-scratch.js';
import type { Vault } from './vault-scratch.js';

const alice = { username: 'alice', isAdmin: false };

describe('engine host', () => {
  let dir: string;
  let clients: KeyWorkerClient[];

  beforeEach(() => {
    dir = makeTempDir();
    clients = [];
  });

  afterEach(async () => {
    for (const client of clients) await client.close();
    removeDir(dir);
  });

  async function start(
    options: Partial<ReturnType<typeof workerOptions>> = {},
  ): Promise<KeyWorkerClient> {
    const client = await KeyWorkerClient.start({
      worker: { ...workerOptions(dir), ...options },
    });
    clients.push(client);
    return client;
  }

  async function unsealed(): Promise<KeyWorkerClient> {
    const client = await start();
    await client.init(PASSWORD);
    return client;
  }

  it('reports the engine types it loaded', async () => {
    const client = await start();
    assert.deepEqual(client.engineTypes, ['notes', 'transit']);
  });

  it('mounts an engine with its own data key and lists it', async () => {
    const client = await unsealed();
    const info = await client.mount('n1', 'notes', { colour: 'blue' });
    assert.equal(info.name, 'n1');
    assert.equal(info.type, 'notes');
    assert.deepEqual(info.config, { colour: 'blue' });
    assert.ok(!Number.isNaN(Date.parse(info.createdAt)));

    assert.deepEqual(await client.mounts(), [info]);
    const keyIds = (await client.listKeys()).map((k) => k.keyId);
    assert.deepEqual(keyIds, ['engine/n1', 'system']);
    assert.deepEqual(await client.engineRequest('n1', 'config', {}, alice), {
      colour: 'blue',
    });
  });

  it('refuses a duplicate mount, a bad name, an unknown type or config', async () => {
    const client = await unsealed();
    await client.mount('n1', 'notes', {});
    const cases: [Promise<unknown>, string, RegExp][] = [
      [client.mount('n1', 'notes', {}), 'already_exists', /^mount n1 already/],
      [client.mount('a/b', 'notes', {}), 'bad_request', /^bad mount name/],
      [client.mount('', 'notes', {}), 'bad_request', /a mount name is 1 to/],
      [client.mount('n2', 'nope', {}), 'bad_request', /unknown engine type/],
      [
        client.mount('n2', 'notes', [] as unknown as Record<string, never>),
        'bad_request',
        /config must be an object/,
      ],
    ];
    for (const [call, code, message] of cases) {
      await assert.rejects(
        call,
        (err: unknown) =>
          isCode(code)(err) && message.test((err as Error).message),
      );
    }
    assert.deepEqual(
      (await client.mounts()).map((m) => m.name),
      ['n1'],
    );
  });

  it('keeps each mount in its own storage', async () => {
    const client = await unsealed();
    await client.mount('a', 'notes', {});
    await client.mount('b', 'notes', {});
    await client.engineRequest('a', 'put', { name: 'x', text: 'A' }, alice);
    await client.engineRequest('b', 'put', { name: 'y', text: 'B' }, alice);
    assert.deepEqual(await client.engineRequest('a', 'list', {}, alice), {
      names: ['x'],
    });
    assert.deepEqual(await client.engineRequest('b', 'list', {}, alice), {
      names: ['y'],
    });
    await assert.rejects(
      client.engineRequest('b', 'get', { name: 'x' }, alice),
      isCode('not_found'),
    );
  });

  it('passes the caller to the core', async () => {
    const client = await unsealed();
    await client.mount('n', 'notes', {});
    assert.deepEqual(await client.engineRequest('n', 'whoami', {}, alice), {
      username: 'alice',
    });
    await assert.rejects(
      client.call('engine.request', {
        mount: 'n',
        operation: 'whoami',
        data: {},
        caller: { username: 7 } as unknown as typeof alice,
      }),
      isCode('bad_request'),
    );
  });

  it('answers not found for a mount that does not exist', async () => {
    const client = await unsealed();
    await assert.rejects(
      client.engineRequest('none', 'list', {}, alice),
      (err: unknown) =>
        isCode('not_found')(err) && String(err).includes('mount none'),
    );
    await assert.rejects(client.unmount('none'), isCode('not_found'));
  });

  it('keeps engine entries and the mount table from the main thread', async () => {
    const client = await unsealed();
    await client.mount('n', 'notes', {});
    await client.engineRequest('n', 'put', { name: 'x', text: 'A' }, alice);
    const refused = [
      client.barrierGet('engine/n/notes/x'),
      client.barrierPut('engine/n/notes/x', bytes('forged')),
      client.barrierDelete('engine/n/notes/x'),
      client.barrierList('engine/n/'),
      client.barrierList(''),
      client.barrierGet('sys/mounts/n'),
      client.barrierPut('sys/mounts/evil', bytes('{}')),
      client.barrierDelete('sys/mounts/n'),
    ];
    for (const call of refused) {
      await assert.rejects(
        call,
        (err: unknown) =>
          isCode('forbidden')(err) &&
          String(err).includes('not open to the main thread'),
      );
    }
    assert.deepEqual(await client.barrierList('sys/'), ['sys/mounts/n']);
    assert.deepEqual(
      await client.engineRequest('n', 'get', { name: 'x' }, alice),
      {
        text: 'A',
      },
    );
  });

  it('unmounts with every entry and the data key, leaving others', async () => {
    const client = await unsealed();
    await client.mount('gone', 'notes', {});
    await client.mount('kept', 'notes', {});
    for (const name of ['a', 'b', 'c']) {
      await client.engineRequest('gone', 'put', { name, text: name }, alice);
    }
    await client.engineRequest('kept', 'put', { name: 'k', text: 'k' }, alice);

    assert.deepEqual(await client.unmount('gone'), { entriesDeleted: 3 });
    assert.deepEqual(
      (await client.mounts()).map((m) => m.name),
      ['kept'],
    );
    assert.deepEqual(
      (await client.listKeys()).map((k) => k.keyId),
      ['engine/kept', 'system'],
    );
    await assert.rejects(
      client.engineRequest('gone', 'list', {}, alice),
      isCode('not_found'),
    );

    // A new mount of the same name starts empty, under a new key.
    await client.mount('gone', 'notes', {});
    assert.deepEqual(await client.engineRequest('gone', 'list', {}, alice), {
      names: [],
    });
    assert.deepEqual(
      await client.engineRequest('kept', 'get', { name: 'k' }, alice),
      {
        text: 'k',
      },
    );
  });

  it('brings mounts back after a restart and an unseal', async () => {
    let client = await unsealed();
    await client.mount('n', 'notes', { a: 1 });
    await client.engineRequest('n', 'put', { name: 'x', text: 'kept' }, alice);
    await client.close();

    client = await start();
    await assert.rejects(client.mounts(), isCode('sealed'));
    await assert.rejects(
      client.engineRequest('n', 'get', { name: 'x' }, alice),
      isCode('sealed'),
    );
    await client.unseal(PASSWORD);
    assert.deepEqual(
      (await client.mounts()).map((m) => [m.name, m.config]),
      [['n', { a: 1 }]],
    );
    assert.deepEqual(
      await client.engineRequest('n', 'get', { name: 'x' }, alice),
      {
        text: 'kept',
      },
    );
  });

  it('refuses every engine op while sealed', async () => {
    const client = await unsealed();
    await client.mount('n', 'notes', {});
    await client.seal();
    for (const call of [
      client.mounts(),
      client.mount('m', 'notes', {}),
      client.unmount('n'),
      client.engineRequest('n', 'list', {}, alice),
    ]) {
      await assert.rejects(call, isCode('sealed'));
    }
  });

  it('fails a request on a mount whose engine this build lacks', async () => {
    let client = await unsealed();
    await client.mount('n', 'notes', {});
    await client.close();

    client = await start({ engines: [] });
    await client.unseal(PASSWORD);
    await assert.rejects(
      client.engineRequest('n', 'list', {}, alice),
      (err: unknown) =>
        isCode('internal')(err) &&
        String(err).includes('which this build does not have'),
    );
    assert.deepEqual(await client.unmount('n'), { entriesDeleted: 0 });
  });

  it('refuses to start with an engine module that has no matching core', async () => {
    await assert.rejects(
      start({ engines: [{ type: 'other', module: engineModuleUrl() }] }),
      (err: unknown) =>
        isCode('internal')(err) && String(err).includes('no matching core'),
    );
  });
});

describe('engine host in process', () => {
  let dir: string;

  beforeEach(() => {
    dir = makeTempDir();
  });

  afterEach(() => {
    removeDir(dir);
  });

  it('closes every core at seal and wipes the keys it opened', async () => {
    const { vault, host } = await notesHost(dir);
    try {
      host.mount('n', 'notes', {});
      host.request('n', 'make-key', {}, alice);
      const first = host.request('n', 'mac', { text: 't' }, alice);
      const opened = openedKeys.at(-1);
      assert.ok(opened !== undefined && !isAllZero(opened));

      await vault.machine.seal();
      assert.ok(isAllZero(opened), 'the MAC key was wiped at seal');

      // After an unseal the core is opened afresh and the key reread.
      await vault.machine.unseal(bytes(PASSWORD));
      assert.deepEqual(host.request('n', 'mac', { text: 't' }, alice), first);
      assert.notEqual(openedKeys.at(-1), opened);
    } finally {
      await vault.close();
    }
  });

  it('cleans up a data key left without a mount record', async () => {
    const { vault, host } = await notesHost(dir);
    try {
      vault.machine.createKey('engine/orphan');
      vault.machine.barrier.put('engine/orphan/notes/old', bytes('old'));
      host.mount('orphan', 'notes', {});
      assert.deepEqual(host.request('orphan', 'list', {}, alice), {
        names: [],
      });
    } finally {
      await vault.close();
    }
  });

  it('leaves nothing behind when a mount fails to commit', async () => {
    const { vault, host } = await notesHost(dir);
    try {
      // A trigger makes the mount record's insert fail inside the mount's
      // transaction, after its data key was written.
      vault.db.exec(
        `CREATE TRIGGER no_mounts BEFORE INSERT ON barrier_entries
         WHEN NEW.path LIKE 'sys/mounts/%'
         BEGIN SELECT RAISE(ABORT, 'refused'); END`,
      );
      assert.throws(() => host.mount('n', 'notes', {}));
      assert.deepEqual(
        vault.machine.listKeys().map((k) => k.keyId),
        ['system'],
      );
      assert.deepEqual(host.list(), []);

      vault.db.exec('DROP TRIGGER no_mounts');
      host.mount('n', 'notes', {});
      host.request('n', 'put', { name: 'x', text: 'ok' }, alice);
      assert.deepEqual(host.request('n', 'get', { name: 'x' }, alice), {
        text: 'ok',
      });
    } finally {
      await vault.close();
    }
  });
});

// An initialized vault in process with the notes engine on its host.
async function notesHost(
  dir: string,
): Promise<{ vault: Vault; host: EngineHost }> {
  const vault = openVault(dir);
  const host = new EngineHost(vault.machine, new Map([['notes', engineCore]]));
  await vault.machine.init(bytes(PASSWORD));
  return { vault, host };
}

function engineModuleUrl(): string {
  return new URL('../fixtures/engines/notes-core.js', import.meta.url).href;
}
