// A stored rule that fails the barrier's integrity check fails closed like
// one that does not parse, with the barrier's error, and a put of the
// same id replaces it.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';

import { openDatabase } from '../../src/db/index.js';
import type { MetacryptError } from '../../src/errors/index.js';
import { KeyWorkerClient } from '../../src/keyworker/index.js';
import { PolicyStore, RULES_PREFIX } from '../../src/policy/index.js';
import { makeTempDir, removeDir } from '../db/scratch.js';
import { isCode } from '../errors/thrown-error.js';
import { PASSWORD, workerOptions } from '../keyworker/vault-scratch.js';
import { flipEntry } from '../reliability/tamper-edits.js';
import { request } from './policy-scratch.js';

const PATH = `${RULES_PREFIX}deny-bob`;
const FAILED = `barrier: integrity check failed for ${PATH}`;

describe('policy store with a rule that fails its integrity check', () => {
  let dir: string;
  let client: KeyWorkerClient;

  beforeEach(async () => {
    dir = makeTempDir();
    const options = workerOptions(dir);
    client = await KeyWorkerClient.start({ worker: options });
    await client.init(PASSWORD);
    const store = new PolicyStore(client);
    await store.create({
      id: 'allow-ops',
      priority: 10,
      effect: 'allow',
      roles: ['ops'],
    });
    await store.create({
      id: 'deny-bob',
      priority: 5,
      effect: 'deny',
      usernames: ['bob'],
    });

    // The barrier reads every entry from the file, so a byte flipped on
    // another connection is seen at the next read.
    const db = openDatabase(options.dbPath, { create: false });
    try {
      flipEntry(db, PATH, 'last');
    } finally {
      db.close();
    }
  });

  afterEach(async () => {
    await client.close();
    removeDir(dir);
  });

  const failed = (err: unknown): boolean =>
    isCode('barrier_integrity')(err) &&
    (err as MetacryptError).message === FAILED;

  it('fails closed for non-admins, and a put replaces the rule', async () => {
    const store = new PolicyStore(client);
    const ops = request({ roles: ['ops'] });
    await assert.rejects(store.list(), failed);
    await assert.rejects(store.check(ops), failed);
    await assert.rejects(store.get('deny-bob'), failed);
    assert.equal((await store.check({ ...ops, isAdmin: true })).allowed, true);
    assert.equal((await store.get('allow-ops')).priority, 10);

    // The damaged rule counts as existing: the put replaces it.
    const put = await store.put('deny-bob', {
      priority: 5,
      effect: 'deny',
      usernames: ['bob'],
    });
    assert.equal(put.created, false);
    assert.equal((await store.check(ops)).ruleId, 'allow-ops');
  });
});
