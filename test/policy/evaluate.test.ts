// Policy evaluation: the matrix of DESIGN.md §7 (priority, first match,
// default deny, admins, admin-only operations, case and globs) and the
// properties that must hold for any set of rules.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import fc from 'fast-check';

import {
  evaluate,
  matchResource,
  parseRule,
  POLICY_ACTIONS,
  REQUEST_ACTIONS,
} from '../../src/policy/index.js';
import type {
  Decision,
  PolicyRequest,
  PolicyRule,
  RequestAction,
} from '../../src/policy/index.js';
import { request, rule } from './policy-scratch.js';

describe('evaluate', () => {
  it('denies when no rule matches, and when there are no rules', () => {
    assert.deepEqual(evaluate([], request()), {
      allowed: false,
      reason: 'no_match',
    });
    const other = rule({ usernames: ['bob'] });
    assert.deepEqual(evaluate([other], request()), {
      allowed: false,
      reason: 'no_match',
    });
  });

  it('lets the matching rule with the lowest priority number decide', () => {
    const allow = rule({ id: 'allow', priority: 20, effect: 'allow' });
    const deny = rule({ id: 'deny', priority: 10, effect: 'deny' });
    assert.deepEqual(evaluate([allow, deny], request()), {
      allowed: false,
      reason: 'rule',
      ruleId: 'deny',
    });
    const earlierAllow = rule({ id: 'allow', priority: 5, effect: 'allow' });
    assert.deepEqual(evaluate([deny, earlierAllow], request()), {
      allowed: true,
      reason: 'rule',
      ruleId: 'allow',
    });
  });

  it('stops at the first match even when a later rule would disagree', () => {
    const rules = [
      rule({ id: 'a', priority: 1, usernames: ['bob'], effect: 'deny' }),
      rule({ id: 'b', priority: 2, roles: ['ops'], effect: 'allow' }),
      rule({ id: 'c', priority: 3, effect: 'deny' }),
    ];
    const decide = (fields: Partial<PolicyRequest>): string | undefined =>
      evaluate(rules, request(fields)).ruleId;
    assert.equal(decide({ username: 'bob', roles: ['ops'] }), 'a');
    assert.equal(decide({ username: 'alice', roles: ['ops'] }), 'b');
    assert.equal(decide({ username: 'alice', roles: [] }), 'c');
  });

  it('breaks a tie in priority by id, whatever order the rules come in', () => {
    const a = rule({ id: 'a-rule', priority: 7, effect: 'allow' });
    const b = rule({ id: 'b-rule', priority: 7, effect: 'deny' });
    assert.equal(evaluate([a, b], request()).ruleId, 'a-rule');
    assert.equal(evaluate([b, a], request()).ruleId, 'a-rule');
    // Ids compare by code unit, not by locale: "B" sorts before "a".
    const upper = rule({ id: 'B', priority: 7, effect: 'deny' });
    assert.equal(evaluate([a, upper], request()).ruleId, 'B');
  });

  it('puts deny first between two rules with the same priority and id', () => {
    const allow = rule({ id: 'same', priority: 1, effect: 'allow' });
    const deny = rule({ id: 'same', priority: 1, effect: 'deny' });
    assert.equal(evaluate([allow, deny], request()).allowed, false);
    assert.equal(evaluate([deny, allow], request()).allowed, false);
  });

  it('compares usernames and roles without regard to case', () => {
    const byName = rule({ usernames: ['Alice'] });
    assert.equal(
      evaluate([byName], request({ username: 'ALICE' })).allowed,
      true,
    );
    assert.equal(
      evaluate([byName], request({ username: 'alicia' })).allowed,
      false,
    );
    const byRole = rule({ roles: ['Ops', 'dev'] });
    assert.equal(
      evaluate([byRole], request({ roles: ['qa', 'OPS'] })).allowed,
      true,
    );
    assert.equal(evaluate([byRole], request({ roles: ['qa'] })).allowed, false);
    assert.equal(evaluate([byRole], request({ roles: [] })).allowed, false);
  });

  it('matches resources by glob, "*" staying within one segment', () => {
    const cases: [string, string, boolean][] = [
      ['engine/*/encrypt', 'engine/t1/encrypt', true],
      ['engine/*/encrypt', 'engine/a/b/encrypt', false],
      ['engine/transit/*', 'engine/transit/encrypt', true],
      ['engine/transit/*', 'engine/transit', false],
      ['engine/tr*/encrypt', 'engine/transit/encrypt', true],
      ['engine/tr*/encrypt', 'engine/other/encrypt', false],
      ['engine/transit/encrypt', 'engine/transit/encrypt', true],
      ['engine/transit/encrypt', 'engine/transit2/encrypt', false],
    ];
    for (const [glob, resource, allowed] of cases) {
      const rules = [rule({ resources: [glob] })];
      assert.equal(
        evaluate(rules, request({ resource })).allowed,
        allowed,
        `${glob} against ${resource}`,
      );
    }
  });

  it('matches a rule when any one of its resource globs matches', () => {
    const rules = [rule({ resources: ['engine/ca/*', 'engine/transit/*'] })];
    assert.equal(evaluate(rules, request()).allowed, true);
    const resource = 'engine/kv/read';
    assert.equal(evaluate(rules, request({ resource })).allowed, false);
  });

  it('lets "any" stand for every action a request can name', () => {
    const rules = [rule({ actions: ['any'] })];
    for (const action of REQUEST_ACTIONS) {
      assert.equal(evaluate(rules, request({ action })).allowed, true, action);
    }
  });

  it('matches only the actions a rule names', () => {
    const rules = [rule({ actions: ['encrypt', 'decrypt'] })];
    for (const action of REQUEST_ACTIONS) {
      const expected = action === 'encrypt' || action === 'decrypt';
      const decision = evaluate(rules, request({ action }));
      assert.equal(decision.allowed, expected, action);
    }
  });

  it('treats an empty list as matching anything', () => {
    const rules = [
      rule({ usernames: [], roles: [], resources: [], actions: [] }),
    ];
    const requests = [
      request(),
      request({ username: 'zed', roles: ['x', 'y'] }),
      request({ resource: 'engine/ca/sign', action: 'sign' }),
      request({ resource: 'anything at all', action: 'hmac' }),
    ];
    for (const each of requests) {
      assert.equal(evaluate(rules, each).allowed, true);
    }
  });

  it('needs every non-empty list of a rule to match', () => {
    const rules = [
      rule({
        usernames: ['alice'],
        roles: ['ops'],
        resources: ['engine/transit/*'],
        actions: ['encrypt'],
      }),
    ];
    const matching = { roles: ['ops'] };
    assert.equal(evaluate(rules, request(matching)).allowed, true);
    for (const miss of [
      { username: 'bob' },
      { roles: ['dev'] },
      { resource: 'engine/ca/encrypt' },
      { action: 'decrypt' as const },
    ]) {
      const decision = evaluate(rules, request({ ...matching, ...miss }));
      assert.equal(decision.allowed, false, JSON.stringify(miss));
    }
  });

  it('allows an admin everything, even against a deny rule', () => {
    const rules = [rule({ priority: 0, effect: 'deny' })];
    assert.deepEqual(evaluate(rules, request({ isAdmin: true })), {
      allowed: true,
      reason: 'admin',
    });
    assert.deepEqual(
      evaluate(rules, request({ isAdmin: true, adminOnly: true })),
      { allowed: true, reason: 'admin' },
    );
  });

  it('never grants an admin-only operation through a rule', () => {
    const rules = [
      rule({ priority: 0, actions: ['any'], resources: ['*/*/*'] }),
      rule({ priority: 1, actions: ['any'], resources: ['*'] }),
      rule({ priority: 2, usernames: ['alice'] }),
    ];
    for (const action of REQUEST_ACTIONS) {
      assert.deepEqual(evaluate(rules, request({ adminOnly: true, action })), {
        allowed: false,
        reason: 'admin_only',
      });
    }
  });

  it('decides a rule built by hand the same as a parsed one', () => {
    const parsed = rule({ id: 'x', usernames: ['alice'] });
    const byHand: PolicyRule = { ...parsed, usernames: ['alice'] };
    assert.deepEqual(
      evaluate([byHand], request()),
      evaluate([parsed], request()),
    );
  });
});

// Small alphabets, so that generated rules often match generated requests
// and often tie on priority or id.
const NAMES = ['alice', 'ALICE', 'bob', 'Carol'];
const ROLES = ['ops', 'OPS', 'dev', 'audit'];
const GLOBS = [
  'engine/*/encrypt',
  'engine/transit/*',
  'engine/tr*/*',
  'engine/ca/sign',
  '*/*/*',
  '*',
];
const RESOURCES = [
  'engine/transit/encrypt',
  'engine/transit/sign',
  'engine/ca/sign',
  'engine/ca/encrypt',
  'engine/a/b/encrypt',
  'engine/transit',
];

const ruleArb: fc.Arbitrary<PolicyRule> = fc
  .record({
    id: fc.constantFrom('a', 'b', 'c', 'B', 'r-1'),
    priority: fc.integer({ min: 0, max: 4 }),
    effect: fc.constantFrom('allow', 'deny'),
    usernames: fc.subarray(NAMES, { maxLength: 2 }),
    roles: fc.subarray(ROLES, { maxLength: 2 }),
    resources: fc.subarray(GLOBS, { maxLength: 2 }),
    actions: fc.subarray([...POLICY_ACTIONS], { maxLength: 2 }),
  })
  .map((fields) => parseRule(fields));

const requestArb: fc.Arbitrary<PolicyRequest> = fc.record({
  username: fc.constantFrom(...NAMES, 'dave'),
  roles: fc.subarray(ROLES),
  isAdmin: fc.boolean(),
  resource: fc.constantFrom(...RESOURCES),
  action: fc.constantFrom<RequestAction>(...REQUEST_ACTIONS),
  adminOnly: fc.boolean(),
});

const nonAdminArb = requestArb.map((r) => ({ ...r, isAdmin: false }));

describe('evaluate, for any rules and request', () => {
  it('decides the same whatever order the rules are given in', () => {
    const rulesAndShuffle = fc
      .array(ruleArb, { maxLength: 12 })
      .chain((rules) =>
        fc.tuple(
          fc.constant(rules),
          fc.shuffledSubarray(rules, {
            minLength: rules.length,
            maxLength: rules.length,
          }),
        ),
      );
    fc.assert(
      fc.property(rulesAndShuffle, requestArb, ([rules, shuffled], req) => {
        assert.deepEqual(evaluate(shuffled, req), evaluate(rules, req));
      }),
      { numRuns: 1000 },
    );
  });

  it('denies every non-admin request when there are no rules', () => {
    fc.assert(
      fc.property(nonAdminArb, (req) => {
        assert.equal(evaluate([], req).allowed, false);
      }),
    );
  });

  it('denies every non-admin request under a first deny matching all', () => {
    const denyAll = parseRule({ id: 'deny-all', priority: 0, effect: 'deny' });
    const later = ruleArb.map((r) =>
      parseRule({ ...r, priority: r.priority + 1 }),
    );
    fc.assert(
      fc.property(
        fc.array(later, { maxLength: 10 }),
        nonAdminArb,
        (rules, req) => {
          const decision = evaluate([...rules, denyAll], req);
          assert.equal(decision.allowed, false);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('allows every admin request, whatever the rules', () => {
    fc.assert(
      fc.property(
        fc.array(ruleArb, { maxLength: 8 }),
        requestArb,
        (rules, req) => {
          const decision = evaluate(rules, { ...req, isAdmin: true });
          assert.deepEqual(decision, { allowed: true, reason: 'admin' });
        },
      ),
    );
  });

  it('refuses every admin-only request from a non-admin', () => {
    fc.assert(
      fc.property(
        fc.array(ruleArb, { maxLength: 8 }),
        nonAdminArb,
        (rules, req) => {
          const decision = evaluate(rules, { ...req, adminOnly: true });
          assert.deepEqual(decision, { allowed: false, reason: 'admin_only' });
        },
      ),
    );
  });

  it('agrees with a plain reading of DESIGN.md section 7', () => {
    fc.assert(
      fc.property(
        fc.array(ruleArb, { maxLength: 8 }),
        requestArb,
        (rules, req) => {
          assert.deepEqual(evaluate(rules, req), modelDecision(rules, req));
        },
      ),
      { numRuns: 1000 },
    );
  });
});

// The rules of DESIGN.md section 7 written out the slow way: sort, then
// walk the rules testing each list in turn.
function modelDecision(rules: PolicyRule[], req: PolicyRequest): Decision {
  if (req.isAdmin) return { allowed: true, reason: 'admin' };
  if (req.adminOnly) return { allowed: false, reason: 'admin_only' };
  const same = (a: string, b: string): boolean =>
    a.toLowerCase() === b.toLowerCase();
  const order = (a: PolicyRule, b: PolicyRule): number =>
    a.priority - b.priority ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) ||
    (a.effect === b.effect ? 0 : a.effect === 'deny' ? -1 : 1);
  for (const r of [...rules].sort(order)) {
    const nameOk =
      r.usernames.length === 0 ||
      r.usernames.some((u) => same(u, req.username));
    const roleOk =
      r.roles.length === 0 ||
      r.roles.some((role) => req.roles.some((mine) => same(role, mine)));
    const resourceOk =
      r.resources.length === 0 ||
      r.resources.some((glob) => matchResource(glob, req.resource));
    const actionOk =
      r.actions.length === 0 ||
      r.actions.includes(req.action) ||
      r.actions.includes('any');
    if (nameOk && roleOk && resourceOk && actionOk) {
      return { allowed: r.effect === 'allow', reason: 'rule', ruleId: r.id };
    }
  }
  return { allowed: false, reason: 'no_match' };
}
