// The rule store on a real key worker and SQLite file: CRUD, what is
// stored, surviving a new store and a seal, failing closed on a damaged
// rule, and one winner among racing creates.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';

import { KeyWorkerClient } from '../../src/keyworker/index.js';
import { PolicyStore, RULES_PREFIX } from '../../src/policy/index.js';
import type { PolicyRule, RuleStorage } from '../../src/policy/index.js';
import { makeTempDir, removeDir } from '../db/scratch.js';
import { isCode } from '../errors/thrown-error.js';
import { bytes, PASSWORD, workerOptions } from '../keyworker/vault-scratch.js';
import { request } from './policy-scratch.js';

const ALLOW_OPS = {
  id: 'allow-ops',
  priority: 10,
  effect: 'allow',
  roles: ['ops'],
  resources: ['engine/transit/*'],
} as const;

const DENY_BOB = {
  id: 'deny-bob',
  priority: 5,
  effect: 'deny',
  usernames: ['bob'],
} as const;

type Fields = Pick<PolicyRule, 'id' | 'priority' | 'effect'> &
  Partial<PolicyRule>;

// The rule a store hands back for fields: every list present.
function fromStore(fields: Fields): PolicyRule {
  return { usernames: [], roles: [], resources: [], actions: [], ...fields };
}

function rejectsWith(code: string, message?: string) {
  return (err: unknown): boolean => {
    assert.ok(isCode(code)(err), `expected ${code}, got ${String(err)}`);
    if (message !== undefined) assert.equal((err as Error).message, message);
    return true;
  };
}

describe('policy store', () => {
  let dir: string;
  let clients: KeyWorkerClient[];
  let client: KeyWorkerClient;
  let store: PolicyStore;

  async function startClient(): Promise<KeyWorkerClient> {
    const started = await KeyWorkerClient.start({ worker: workerOptions(dir) });
    clients.push(started);
    return started;
  }

  beforeEach(async () => {
    dir = makeTempDir();
    clients = [];
    client = await startClient();
    await client.init(PASSWORD);
    store = new PolicyStore(client);
  });

  afterEach(async () => {
    for (const each of clients) await each.close();
    removeDir(dir);
  });

  it('takes a KeyWorkerClient as its storage', () => {
    const storage: RuleStorage = client;
    assert.ok(storage);
  });

  it('starts with no rules and denies a non-admin', async () => {
    assert.deepEqual(await store.list(), []);
    assert.deepEqual(await store.check(request()), {
      allowed: false,
      reason: 'no_match',
    });
  });

  it('creates, reads, lists, replaces and deletes rules', async () => {
    // Create two rules; list gives them in evaluation order.
    assert.deepEqual(await store.create(ALLOW_OPS), fromStore(ALLOW_OPS));
    await store.create(DENY_BOB);
    assert.deepEqual(await store.list(), [
      fromStore(DENY_BOB),
      fromStore(ALLOW_OPS),
    ]);
    assert.deepEqual(await store.get('allow-ops'), fromStore(ALLOW_OPS));

    // Replace one; the body may leave the id to the path.
    const body = {
      priority: 1,
      effect: 'allow',
      roles: ['ops'],
      resources: ['engine/transit/*'],
    };
    const replaced = await store.put('allow-ops', body);
    assert.deepEqual(replaced, {
      rule: fromStore({ ...ALLOW_OPS, priority: 1 }),
      created: false,
    });
    assert.deepEqual(
      (await store.list()).map((r) => r.id),
      ['allow-ops', 'deny-bob'],
    );

    // Put a new id creates it.
    const made = await store.put('new', { priority: 3, effect: 'deny' });
    assert.equal(made.created, true);
    assert.equal((await store.get('new')).effect, 'deny');

    // Delete.
    await store.delete('allow-ops');
    await assert.rejects(store.get('allow-ops'), rejectsWith('not_found'));
    assert.deepEqual(
      (await store.list()).map((r) => r.id),
      ['new', 'deny-bob'],
    );
  });

  it('decides from the rules it holds and sees each change', async () => {
    await store.create(ALLOW_OPS);
    await store.create(DENY_BOB);
    const ops = request({ roles: ['OPS'] });
    assert.deepEqual(await store.check(ops), {
      allowed: true,
      reason: 'rule',
      ruleId: 'allow-ops',
    });
    assert.deepEqual(await store.check({ ...ops, username: 'Bob' }), {
      allowed: false,
      reason: 'rule',
      ruleId: 'deny-bob',
    });

    await store.put('deny-ops', {
      priority: 0,
      effect: 'deny',
      roles: ['ops'],
    });
    assert.equal((await store.check(ops)).ruleId, 'deny-ops');
    await store.delete('deny-ops');
    assert.equal((await store.check(ops)).ruleId, 'allow-ops');
  });

  it('answers already_exists for a second create of an id', async () => {
    await store.create(ALLOW_OPS);
    await assert.rejects(
      store.create({ ...ALLOW_OPS, priority: 99 }),
      rejectsWith('already_exists', 'policy rule allow-ops already exists'),
    );
    assert.equal((await store.get('allow-ops')).priority, 10);
  });

  it('answers not_found for a missing rule', async () => {
    await assert.rejects(
      store.get('missing'),
      rejectsWith('not_found', 'policy rule missing not found'),
    );
    await assert.rejects(
      store.delete('missing'),
      rejectsWith('not_found', 'policy rule missing not found'),
    );
  });

  it('answers bad_request for a bad rule or id, storing nothing', async () => {
    await assert.rejects(
      store.create({ ...ALLOW_OPS, effect: 'perhaps' }),
      rejectsWith('bad_request', 'policy: effect: must be allow or deny'),
    );
    await assert.rejects(
      store.put('x', { ...ALLOW_OPS }),
      rejectsWith(
        'bad_request',
        'policy: id: must match the rule id in the path',
      ),
    );
    for (const id of ['..', 'a/b', '']) {
      await assert.rejects(store.get(id), rejectsWith('bad_request'));
      await assert.rejects(store.delete(id), rejectsWith('bad_request'));
    }
    assert.deepEqual(await client.barrierList(RULES_PREFIX), []);
  });

  it('stores each rule as its JSON at sys/policy/rules/<id>', async () => {
    const rule = await store.create(ALLOW_OPS);
    assert.deepEqual(await client.barrierList(RULES_PREFIX), [
      'sys/policy/rules/allow-ops',
    ]);
    const stored = await client.barrierGet('sys/policy/rules/allow-ops');
    assert.ok(stored !== null);
    const json = Buffer.from(stored).toString('utf8');
    assert.equal(json, JSON.stringify(rule));
    assert.deepEqual(JSON.parse(json), fromStore(ALLOW_OPS));
  });

  it('keeps rules for a new store and for a restarted key worker', async () => {
    await store.create(ALLOW_OPS);
    await store.create(DENY_BOB);
    const expected = await store.list();

    assert.deepEqual(await new PolicyStore(client).list(), expected);

    await client.close();
    const restarted = await startClient();
    await restarted.unseal(bytes(PASSWORD));
    assert.deepEqual(await new PolicyStore(restarted).list(), expected);
  });

  it('forgets its rules on seal and loads them after unseal', async () => {
    await store.create(ALLOW_OPS);
    const ops = request({ roles: ['ops'] });
    assert.equal((await store.check(ops)).allowed, true);

    await client.seal();
    store.clear();
    await assert.rejects(store.check(ops), rejectsWith('sealed'));
    await assert.rejects(store.list(), rejectsWith('sealed'));
    // An admin's check needs no rules, so it does not wait for an unseal.
    assert.equal((await store.check({ ...ops, isAdmin: true })).allowed, true);

    await client.unseal(PASSWORD);
    assert.equal((await store.check(ops)).allowed, true);
    assert.deepEqual(await store.list(), [fromStore(ALLOW_OPS)]);
  });

  it('reloads what another writer stored when load is called', async () => {
    await store.create(ALLOW_OPS);
    await new PolicyStore(client).create(DENY_BOB);
    assert.deepEqual(
      (await store.list()).map((r) => r.id),
      ['allow-ops'],
    );
    assert.deepEqual(
      (await store.load()).map((r) => r.id),
      ['deny-bob', 'allow-ops'],
    );
  });

  it('lets exactly one of many racing creates of an id succeed', async () => {
    const attempts = Array.from({ length: 12 }, (_, i) =>
      store.create({ ...ALLOW_OPS, priority: i }),
    );
    const results = await Promise.allSettled(attempts);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r) => r.status === 'rejected');
    assert.equal(won.length, 1);
    assert.equal(lost.length, 11);
    for (const result of lost) {
      assert.ok(isCode('already_exists')(result.reason));
    }
    const winner = won[0];
    assert.ok(winner);
    assert.deepEqual(await store.list(), [winner.value]);
    assert.deepEqual(await store.get('allow-ops'), winner.value);
  });

  it('ends with the right rules after checks amid changes', async () => {
    await store.create(ALLOW_OPS);
    const ops = request({ roles: ['ops'] });
    const changes = [
      store.put('deny-ops', { priority: 0, effect: 'deny', roles: ['ops'] }),
      store.check(ops),
      store.delete('deny-ops'),
      store.check(ops),
    ];
    await Promise.all(changes);
    assert.deepEqual(await store.check(ops), {
      allowed: true,
      reason: 'rule',
      ruleId: 'allow-ops',
    });
  });
});

describe('policy store with a damaged rule', () => {
  let dir: string;
  let client: KeyWorkerClient;
  let store: PolicyStore;

  beforeEach(async () => {
    dir = makeTempDir();
    client = await KeyWorkerClient.start({ worker: workerOptions(dir) });
    await client.init(PASSWORD);
    store = new PolicyStore(client);
    await store.create(ALLOW_OPS);
  });

  afterEach(async () => {
    await client.close();
    removeDir(dir);
  });

  const damaged: [string, string, Uint8Array][] = [
    ['bytes that are not JSON', 'broken', bytes('{not json')],
    ['bytes that are not UTF-8', 'broken', new Uint8Array([0x7b, 0xff, 0x7d])],
    [
      'JSON that is not a valid rule',
      'broken',
      bytes(JSON.stringify({ id: 'broken', priority: 1, effect: 'maybe' })),
    ],
    [
      'a rule whose id is not its path',
      'broken',
      bytes(JSON.stringify({ id: 'other', priority: 1, effect: 'deny' })),
    ],
    [
      'an entry below a rule path',
      'broken/extra',
      bytes(JSON.stringify({ id: 'broken', priority: 1, effect: 'deny' })),
    ],
  ];

  for (const [what, id, value] of damaged) {
    it(`fails closed on ${what}, letting admins pass`, async () => {
      await client.barrierPut(`${RULES_PREFIX}${id}`, value);
      const invalid = `policy: stored rule ${id} is invalid`;

      // A fresh store will not load, list or check for a non-admin.
      const fresh = new PolicyStore(client);
      await assert.rejects(fresh.load(), rejectsWith('internal', invalid));
      await assert.rejects(fresh.list(), rejectsWith('internal', invalid));
      const ops = request({ roles: ['ops'] });
      await assert.rejects(fresh.check(ops), rejectsWith('internal', invalid));

      // The store that loaded before the damage fails too, once it reloads.
      await assert.rejects(store.load(), rejectsWith('internal', invalid));
      await assert.rejects(store.check(ops), rejectsWith('internal', invalid));

      // Admins pass, and one can still read the good rule and delete the
      // bad one, after which checks work again.
      assert.deepEqual(await fresh.check({ ...ops, isAdmin: true }), {
        allowed: true,
        reason: 'admin',
      });
      assert.deepEqual(await fresh.get('allow-ops'), fromStore(ALLOW_OPS));
      await client.barrierDelete(`${RULES_PREFIX}${id}`);
      await fresh.load();
      assert.equal((await fresh.check(ops)).allowed, true);
    });
  }

  it('stays closed after another change, until the rule is fixed', async () => {
    await client.barrierPut(`${RULES_PREFIX}broken`, bytes('garbage'));
    const invalid = 'policy: stored rule broken is invalid';
    await assert.rejects(store.load(), rejectsWith('internal', invalid));

    // A change elsewhere succeeds but leaves checks failing.
    await store.create(DENY_BOB);
    const ops = request({ roles: ['ops'] });
    await assert.rejects(store.check(ops), rejectsWith('internal', invalid));
    await assert.rejects(store.get('broken'), rejectsWith('internal', invalid));

    // Replacing the damaged rule through the store repairs it.
    await store.put('broken', { priority: 50, effect: 'deny' });
    assert.equal((await store.check(ops)).ruleId, 'allow-ops');
    assert.equal((await store.get('broken')).priority, 50);
  });

  it('lets an admin delete the damaged rule through the store', async () => {
    await client.barrierPut(`${RULES_PREFIX}broken`, bytes('garbage'));
    const ops = request({ roles: ['ops'] });
    await assert.rejects(store.load(), rejectsWith('internal'));
    await store.delete('broken');
    assert.equal((await store.check(ops)).allowed, true);
  });

  it('refuses admin-only operations to others without loading', async () => {
    await client.barrierPut(`${RULES_PREFIX}broken`, bytes('garbage'));
    const decision = await new PolicyStore(client).check(
      request({ adminOnly: true }),
    );
    assert.deepEqual(decision, { allowed: false, reason: 'admin_only' });
  });
});
