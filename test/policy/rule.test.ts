// parseRule: defaults, the id rules, the path's id, and a message naming
// the field for every way a rule can be wrong.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import fc from 'fast-check';

import type { MetacryptError } from '../../src/errors/index.js';
import { checkPath } from '../../src/keyworker/barrier-path.js';
import {
  parseRule,
  parseRuleId,
  POLICY_ACTIONS,
} from '../../src/policy/index.js';
import { thrownBy } from '../errors/thrown-error.js';

const BASE = { id: 'r1', priority: 10, effect: 'allow' } as const;

/** badRequestOf runs fn and returns the `bad_request` error it throws. */
function badRequestOf(fn: () => unknown): MetacryptError {
  const err = thrownBy(fn);
  assert.equal(err.code, 'bad_request');
  assert.equal(err.status, 400);
  return err;
}

function messageFor(input: unknown, pathId?: string): string {
  return badRequestOf(() => parseRule(input, pathId)).message;
}

describe('parseRule', () => {
  it('fills in empty lists for the lists a rule leaves out', () => {
    assert.deepEqual(parseRule(BASE), {
      ...BASE,
      usernames: [],
      roles: [],
      resources: [],
      actions: [],
    });
  });

  it('keeps every field it is given', () => {
    const input = {
      id: 'ops-transit.v2',
      priority: 0,
      effect: 'deny',
      usernames: ['alice', 'Bob'],
      roles: ['ops'],
      resources: ['engine/transit/*', 'engine/*/sign', 'engine/tr*/x*y'],
      actions: ['encrypt', 'any'],
    };
    assert.deepEqual(parseRule(input), input);
  });

  it('returns a frozen rule whose lists are frozen too', () => {
    const rule = parseRule({ ...BASE, roles: ['ops'] });
    assert.ok(Object.isFrozen(rule));
    assert.ok(Object.isFrozen(rule.roles));
    assert.ok(Object.isFrozen(rule.usernames));
  });

  it('accepts the largest priority and refuses one more', () => {
    assert.equal(
      parseRule({ ...BASE, priority: 2_147_483_647 }).priority,
      2_147_483_647,
    );
    assert.equal(
      messageFor({ ...BASE, priority: 2_147_483_648 }),
      'policy: priority: must be a whole number from 0 to 2147483647',
    );
  });

  it('names the field in every refusal', () => {
    const long = (n: number): string => 'x'.repeat(n);
    const cases: [unknown, string][] = [
      [{ ...BASE, id: undefined }, 'policy: id: is required'],
      [{ ...BASE, id: 7 }, 'policy: id: must be a string'],
      [{ ...BASE, id: '' }, 'policy: id: must not be empty'],
      [
        { ...BASE, id: long(129) },
        'policy: id: must be at most 128 characters',
      ],
      [
        { ...BASE, id: 'a/b' },
        'policy: id: may use only letters, digits, ".", "_" and "-"',
      ],
      [{ ...BASE, id: '..' }, 'policy: id: must not be "." or ".."'],
      [{ ...BASE, priority: undefined }, 'policy: priority: is required'],
      [
        { ...BASE, priority: -1 },
        'policy: priority: must be a whole number from 0 to 2147483647',
      ],
      [
        { ...BASE, priority: 1.5 },
        'policy: priority: must be a whole number from 0 to 2147483647',
      ],
      [
        { ...BASE, priority: '1' },
        'policy: priority: must be a whole number from 0 to 2147483647',
      ],
      [{ ...BASE, effect: undefined }, 'policy: effect: is required'],
      [{ ...BASE, effect: 'Allow' }, 'policy: effect: must be allow or deny'],
      [{ ...BASE, usernames: 'alice' }, 'policy: usernames: must be a list'],
      [
        { ...BASE, usernames: ['alice', ''] },
        'policy: usernames[1]: must not be empty',
      ],
      [
        { ...BASE, usernames: [long(257)] },
        'policy: usernames[0]: must be at most 256 characters',
      ],
      [
        { ...BASE, usernames: Array.from({ length: 257 }, (_, i) => `u${i}`) },
        'policy: usernames: must have at most 256 items',
      ],
      [{ ...BASE, roles: [null] }, 'policy: roles[0]: must be a string'],
      [{ ...BASE, roles: null }, 'policy: roles: must be a list'],
      [
        { ...BASE, resources: ['engine/a b/x'] },
        'policy: resources[0]: may use only letters, digits, ".", "_", "-", ' +
          '"*" and "/"',
      ],
      [
        { ...BASE, resources: ['engine/a/x', `engine/${long(512)}`] },
        'policy: resources[1]: must be at most 512 characters',
      ],
      [
        { ...BASE, resources: ['engine/transit/'] },
        'policy: resources[0]: must not have an empty segment',
      ],
      [
        { ...BASE, resources: ['engine/**'] },
        'policy: resources[0]: must not contain "**": "*" matches within ' +
          'one segment only',
      ],
      [
        { ...BASE, actions: ['read', 'write', 'delete'] },
        `policy: actions[2]: must be one of ${POLICY_ACTIONS.join(', ')}`,
      ],
      [{ ...BASE, actions: {} }, 'policy: actions: must be a list'],
      [null, 'policy: rule: must be a JSON object'],
      [['r1'], 'policy: rule: must be a JSON object'],
      ['r1', 'policy: rule: must be a JSON object'],
    ];
    for (const [input, message] of cases) {
      assert.equal(messageFor(input), message, JSON.stringify(input));
    }
  });

  it('refuses an unknown field, naming it before any missing one', () => {
    assert.equal(
      messageFor({ id: 'r1', prority: 1, effect: 'allow' }),
      'policy: prority: unknown field',
    );
    assert.equal(
      messageFor({ ...BASE, resource: ['engine/a/b'] }),
      'policy: resource: unknown field',
    );
  });

  it('quotes and cuts an unknown field name that is not plain', () => {
    const name = `a\n${'b'.repeat(100)}`;
    const message = messageFor({ ...BASE, [name]: 1 });
    assert.equal(message, `policy: "a\\n${'b'.repeat(30)}"...: unknown field`);
  });

  it('never echoes a bad value back', () => {
    const secretish = 'do-not-echo-this-value';
    for (const input of [
      { ...BASE, id: `${secretish} ` },
      { ...BASE, effect: secretish },
      { ...BASE, resources: [`${secretish} `] },
      { ...BASE, actions: [secretish] },
      { ...BASE, usernames: [secretish.repeat(20)] },
    ]) {
      assert.ok(!messageFor(input).includes(secretish));
    }
  });
});

describe('parseRule with the id from the path', () => {
  it('takes the id from the path when the body has none', () => {
    const rule = parseRule({ priority: 1, effect: 'deny' }, 'from-path');
    assert.equal(rule.id, 'from-path');
  });

  it('accepts a body id equal to the path id', () => {
    assert.equal(parseRule(BASE, 'r1').id, 'r1');
  });

  it('refuses a body id that differs from the path id', () => {
    assert.equal(
      messageFor(BASE, 'r2'),
      'policy: id: must match the rule id in the path',
    );
  });

  it('checks the path id by the id rules', () => {
    assert.equal(
      messageFor({ priority: 1, effect: 'deny' }, '.'),
      'policy: id: must not be "." or ".."',
    );
    assert.equal(
      messageFor({ priority: 1, effect: 'deny' }, ''),
      'policy: id: must not be empty',
    );
  });

  it('still reports the other fields of a body without an id', () => {
    assert.equal(
      messageFor({ priority: 1, effect: 'maybe' }, 'r1'),
      'policy: effect: must be allow or deny',
    );
    assert.equal(messageFor(null, 'r1'), 'policy: rule: must be a JSON object');
  });
});

describe('parseRuleId', () => {
  it('accepts an id exactly when it is a valid barrier path segment', () => {
    const id = fc.string({
      unit: fc.constantFrom(...Array.from('ab.Z9_-/ *%é')),
      minLength: 0,
      maxLength: 130,
    });
    fc.assert(
      fc.property(
        fc.oneof(id, fc.constantFrom('.', '..', 'x'.repeat(128))),
        (text) => {
          const asSegment = !text.includes('/') && segmentOk(text);
          let accepted = true;
          try {
            parseRuleId(text);
          } catch {
            accepted = false;
          }
          assert.equal(accepted, asSegment, JSON.stringify(text));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('refuses anything that is not a string', () => {
    for (const value of [undefined, null, 3, ['a'], { id: 'a' }]) {
      assert.match(
        badRequestOf(() => parseRuleId(value)).message,
        /^policy: id: /,
      );
    }
  });
});

describe('rules as stored', () => {
  it('come back unchanged from their JSON, for any valid rule', () => {
    const name = fc.string({ minLength: 1, maxLength: 12 });
    const segment = fc.stringMatching(/^[A-Za-z0-9._-]{0,5}(\*[a-z]{0,3})?$/);
    const glob = fc
      .array(segment, { minLength: 1, maxLength: 4 })
      .map((parts) => parts.join('/'))
      .filter((g) => !g.split('/').includes('') && !g.includes('**'));
    const input = fc.record(
      {
        id: fc.stringMatching(/^[A-Za-z0-9_-][A-Za-z0-9._-]{0,20}$/),
        priority: fc.integer({ min: 0, max: 2_147_483_647 }),
        effect: fc.constantFrom('allow', 'deny'),
        usernames: fc.array(name, { maxLength: 4 }),
        roles: fc.array(name, { maxLength: 4 }),
        resources: fc.array(glob, { maxLength: 4 }),
        actions: fc.array(fc.constantFrom(...POLICY_ACTIONS), { maxLength: 4 }),
      },
      // deepEqual tells a null prototype apart from a rule's plain object.
      { noNullPrototype: true },
    );
    fc.assert(
      fc.property(input, (fields) => {
        const rule = parseRule(fields);
        assert.deepEqual(rule, fields);
        assert.deepEqual(parseRule(JSON.parse(JSON.stringify(rule))), rule);
      }),
      { numRuns: 300 },
    );
  });
});

// The barrier's own verdict on `sys/policy/rules/<text>` as one segment.
function segmentOk(text: string): boolean {
  try {
    checkPath(`sys/policy/rules/${text}`);
    return true;
  } catch {
    return false;
  }
}
