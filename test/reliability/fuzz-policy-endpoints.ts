// The policy endpoints as the bad-input fuzz attacks them: list, create,
// read, write and delete rules, with bodies and ids they must refuse and
// never the target's own rule (docs/API.md).
import fc from 'fast-check';
import type { Arbitrary } from 'fast-check';

import { POLICY_ACTIONS } from '../../src/policy/index.js';
import { jsonBody, objectPlan } from './fuzz-bodies.js';
import type { BodyLimits } from './fuzz-bodies.js';
import type { PathPlan } from './fuzz-case.js';
import { bodyless, fixed, FUZZ_RULE_ID } from './fuzz-endpoint.js';
import type { Endpoint } from './fuzz-endpoint.js';
import {
  defectiveObject,
  enumField,
  intField,
  listField,
  stringField,
  validObject,
} from './fuzz-fields.js';
import type { Field, Fields } from './fuzz-fields.js';
import { absentName, encodeSegment, undecodable } from './fuzz-noise.js';
import { hostileString } from './fuzz-values.js';

const RULE_ID = /^[A-Za-z0-9._-]+$/;
const validRuleId = fc
  .stringMatching(/^[A-Za-z0-9_-][A-Za-z0-9._-]{0,30}$/)
  .filter((id) => id !== FUZZ_RULE_ID);
const glob = fc
  .array(fc.stringMatching(/^[A-Za-z0-9._*-]{1,8}$/), {
    minLength: 1,
    maxLength: 4,
  })
  .map((segments) => segments.join('/'))
  .filter((text) => !text.includes('**'));
const badGlob = fc
  .oneof(
    hostileString(24),
    glob.map((text) => `/${text}`),
    glob.map((text) => `${text}//x`),
    glob.map((text) => `${text}/**`),
  )
  .filter(
    (text) =>
      text.includes('**') ||
      text.split('/').includes('') ||
      !/^[A-Za-z0-9._*/-]+$/.test(text),
  );

function ruleFields(idRequired: boolean): Fields {
  const name = stringField({ max: 256 });
  const id: Field = stringField({
    max: 128,
    pattern: RULE_ID,
    valid: validRuleId,
    required: idRequired,
  });
  return {
    id: { ...id, bad: fc.oneof(id.bad, fc.constantFrom('.', '..')) },
    priority: {
      ...intField(0, 1000, true),
      bad: fc.oneof(intField(0).bad, fc.constant(2_147_483_648)),
    },
    effect: enumField(['allow', 'deny'], true),
    usernames: listField(name, 256, 'u'),
    roles: listField(name, 256, 'r'),
    resources: listField({ valid: glob, bad: badGlob }, 256, 'engine/x'),
    actions: listField(enumField(POLICY_ACTIONS), 256, 'read'),
  };
}

// Rule ids in a path: ones the id rule refuses, ones nobody holds, and
// ones Express cannot decode; never the target's own rule.
const rulePath: Arbitrary<PathPlan> = fc.oneof(
  fc
    .oneof(
      hostileString(40, false).filter((id) => id !== '' && !RULE_ID.test(id)),
      fc.constantFrom('.', '..', 'x'.repeat(129)),
    )
    .map((id): PathPlan => ({
      path: `/v1/policy/rule/${encodeSegment(id)}`,
      defect: 'bad rule id',
      codes: () => ['bad_request'],
    })),
  absentName.map((id): PathPlan => ({
    path: `/v1/policy/rule/${id}`,
    defect: 'no such rule',
    codes: () => ['not_found'],
  })),
  undecodable.map((segment): PathPlan => ({
    path: `/v1/policy/rule/${segment}`,
    defect: 'undecodable path',
    refused: ['bad_request'],
  })),
);

/** policyEndpoints are the five policy endpoints. */
export function policyEndpoints(limits: BodyLimits): Endpoint[] {
  const duplicate = validObject(ruleFields(true)).map((rule) => ({
    value: { ...rule, id: FUZZ_RULE_ID },
    defect: 'an id already taken',
  }));
  const otherId = validObject(ruleFields(true)).map((rule) => ({
    value: { ...rule, id: `other-${String(rule.id)}` },
    defect: 'another id than the path',
  }));
  const putPath: Arbitrary<PathPlan> = fc.oneof(
    fc.constant({ path: `/v1/policy/rule/${FUZZ_RULE_ID}` }),
    rulePath,
  );
  const putBody = jsonBody(
    fc.oneof(
      objectPlan(defectiveObject(ruleFields(false)), ['bad_request']),
      objectPlan(otherId, ['bad_request']),
    ),
    limits,
  );
  const idOnly = (method: string): Endpoint => ({
    group: 'policy',
    method,
    template: '/v1/policy/rule/:id',
    access: 'admin',
    requests: rulePath.map((path) => ({ path, body: { kind: 'none' } })),
  });
  return [
    bodyless('policy', 'GET', '/v1/policy/rules', 'admin'),
    {
      group: 'policy',
      method: 'POST',
      template: '/v1/policy/rules',
      access: 'admin',
      requests: fixed(
        '/v1/policy/rules',
        jsonBody(
          fc.oneof(
            objectPlan(defectiveObject(ruleFields(true)), ['bad_request']),
            objectPlan(duplicate, ['already_exists']),
          ),
          limits,
        ),
      ),
    },
    idOnly('GET'),
    {
      group: 'policy',
      method: 'PUT',
      template: '/v1/policy/rule/:id',
      access: 'admin',
      // A bad id in the path is a 400, as every body case is.
      requests: fc
        .tuple(putPath, putBody)
        .map(([path, body]) => ({ path, body })),
    },
    idOnly('DELETE'),
  ];
}
