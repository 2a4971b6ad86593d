// A mount record that fails its integrity check disables its own mount
// only: the others keep serving, its name cannot be mounted over (which
// would destroy its data key), and unmounting it clears it.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';

import { openDatabase } from '../../src/db/index.js';
import type { MetacryptError } from '../../src/errors/index.js';
import { KeyWorkerClient } from '../../src/keyworker/index.js';
import { makeTempDir, removeDir } from '../db/scratch.js';
import { isCode } from '../errors/thrown-error.js';
import { flipEntry } from '../reliability/tamper-edits.js';
import { PASSWORD, workerOptions } from './vault-scratch.js';

const alice = { username: 'alice', isAdmin: false };
const FAILED = 'barrier: integrity check failed for sys/mounts/n2';

describe('engine host with a damaged mount record', () => {
  let dir: string;
  let client: KeyWorkerClient;

  beforeEach(async () => {
    dir = makeTempDir();
    const options = workerOptions(dir);
    client = await KeyWorkerClient.start({ worker: options });
    await client.init(PASSWORD);
    await client.mount('n1', 'notes', {});
    await client.mount('n2', 'notes', {});
    await client.engineRequest('n1', 'put', { name: 'a', text: 'A' }, alice);
    await client.engineRequest('n2', 'put', { name: 'b', text: 'B' }, alice);

    // Sealed, the worker forgets the mount table; the edit is read back
    // at the next use after the unseal.
    await client.seal();
    const db = openDatabase(options.dbPath, { create: false });
    try {
      flipEntry(db, 'sys/mounts/n2', 'middle');
    } finally {
      db.close();
    }
    await client.unseal(PASSWORD);
  });

  afterEach(async () => {
    await client.close();
    removeDir(dir);
  });

  const failed = (err: unknown): boolean =>
    isCode('barrier_integrity')(err) &&
    (err as MetacryptError).message === FAILED;

  it('lists the damaged record apart and serves the other mount', async () => {
    const table = await client.mountTable();
    assert.deepEqual(
      table.mounts.map((m) => m.name),
      ['n1'],
    );
    assert.deepEqual(table.damaged, [{ name: 'n2', message: FAILED }]);
    assert.deepEqual(
      await client.engineRequest('n1', 'get', { name: 'a' }, alice),
      { text: 'A' },
    );
    await assert.rejects(
      client.engineRequest('n2', 'get', { name: 'b' }, alice),
      failed,
    );
  });

  it('refuses to mount over it, and unmounting it clears it', async () => {
    await assert.rejects(client.mount('n2', 'notes', {}), failed);
    const keys = (await client.listKeys()).map((k) => k.keyId);
    assert.ok(keys.includes('engine/n2'), 'the data key is still there');

    // The record, the key and the note go; the name is free again.
    assert.deepEqual(await client.unmount('n2'), { entriesDeleted: 1 });
    assert.deepEqual((await client.mountTable()).damaged, []);
    await client.mount('n2', 'notes', {});
    await assert.rejects(
      client.engineRequest('n2', 'get', { name: 'b' }, alice),
      isCode('not_found'),
    );
  });
});
