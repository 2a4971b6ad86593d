// Both ways of reaching a transit operation, as the bad-input fuzz sends
// them: the typed routes POST /v1/transit/<mount>/<operation>[/<key>] and
// the generic POST /v1/engine/request, each with the codes it must answer
// in the order the server checks.
import fc from 'fast-check';
import type { Arbitrary } from 'fast-check';

import { engineOps } from '../../src/engines/transit/ops.js';
import type { ErrorCode } from '../../src/errors/index.js';
import { jsonBody, objectPlan } from './fuzz-bodies.js';
import type { BodyLimits } from './fuzz-bodies.js';
import type { BodyCodes, Who } from './fuzz-case.js';
import { FUZZ_MOUNT, mountNameField } from './fuzz-endpoint.js';
import type { Endpoint, Request } from './fuzz-endpoint.js';
import { defectiveObject, stringField } from './fuzz-fields.js';
import type { Fields } from './fuzz-fields.js';
import {
  absentName,
  encodeSegment,
  sometimes,
  undecodable,
} from './fuzz-noise.js';
import { aliceMay, OPERATIONS } from './fuzz-transit-fields.js';
import type { KnownValues } from './fuzz-transit-fields.js';
import { opPlans } from './fuzz-transit-plans.js';
import type { OpPlan } from './fuzz-transit-plans.js';
import { hostileString, notA } from './fuzz-values.js';

/** opCodes are an operation's codes for who, after the mount is found. */
function opCodes(
  operation: string,
  who: Who,
  dataDefect: boolean,
  planned: readonly ErrorCode[],
): readonly ErrorCode[] {
  if (!hasOperation(operation)) return ['not_found'];
  if (who === 'alice' && !aliceMay(operation)) return ['forbidden'];
  return dataDefect ? ['bad_request'] : planned;
}

// An own property only: `toString` and the like are on every object's
// prototype, and the server (rightly) does not take them for operations.
function hasOperation(operation: string): boolean {
  return Object.hasOwn(engineOps.operations, operation);
}

/** UNKNOWN_OPERATION stands for operations transit does not have. */
export const UNKNOWN_OPERATION = '(unknown)';

// An operation name transit does not have.
const unknownOperation: Arbitrary<string> = fc
  .oneof(
    hostileString(20, false),
    fc.constantFrom('Encrypt', 'encrypt ', 'keys', 'crash', 'whoami'),
  )
  .filter((op) => op !== '' && op.length <= 64 && !OPERATIONS.includes(op));

function operationOf(operation: string): Arbitrary<string> {
  return operation === UNKNOWN_OPERATION
    ? unknownOperation
    : fc.constant(operation);
}

// A plan for an operation transit does not have: any input will do.
function plansFor(operation: string, known: KnownValues): Arbitrary<OpPlan> {
  return opPlans(hasOperation(operation) ? operation : 'encrypt', known);
}

const mountSegment = fc.oneof(
  { arbitrary: fc.constant({ name: FUZZ_MOUNT, refused: false }), weight: 8 },
  {
    arbitrary: absentName.map((name) => ({ name, refused: false })),
    weight: 1,
  },
  {
    arbitrary: undecodable.map((name) => ({ name, refused: true })),
    weight: 1,
  },
);

/**
 * TypedRoute is where a typed request goes: a path with the key in it
 * (keyed) or not, and `name` in the body: none, the path's key, or
 * another key, which the route refuses.
 */
interface TypedRoute {
  readonly mount: string;
  readonly operation: string;
  readonly keyed: boolean;
  readonly bodyName: 'none' | 'same' | 'other';
}

// The typed route's order (src/server/routes/transit-routes.ts): a body
// naming another key than the path, then the mount, the operation, the
// policy and the input.
function typedCodes(
  route: TypedRoute,
  op: OpPlan,
  who: Who,
): readonly ErrorCode[] {
  if (route.keyed && route.bodyName === 'other') return ['bad_request'];
  if (route.mount !== FUZZ_MOUNT) return ['not_found'];
  const noName = !route.keyed && route.bodyName === 'none';
  const dataDefect =
    op.key.kind === 'junk' || route.operation === 'list-keys' || noName;
  return opCodes(route.operation, who, dataDefect, op.codes);
}

function typedRequests(
  operation: string,
  known: KnownValues,
  limits: BodyLimits,
): Arbitrary<Request> {
  return fc
    .record({
      mount: mountSegment,
      operation: operationOf(operation),
      // list-keys takes no key, so its keyed route is the odd one out.
      keyed:
        operation === 'list-keys'
          ? fc.constantFrom(false, false, true)
          : fc.constantFrom(true, true, true, false),
      bodyName: fc.constantFrom<TypedRoute['bodyName']>(
        'none',
        'none',
        'same',
        'other',
      ),
      plan: plansFor(operation, known),
      badKey: sometimes(undecodable, 12),
    })
    .chain(({ mount, operation: name, keyed, bodyName, plan, badKey }) => {
      const { key } = plan;
      const keyText = key.kind === 'name' ? key.name : key.text;
      // A junk key may not survive the path's decoding unchanged, so it
      // is never also given as the same name in the body.
      const route: TypedRoute = {
        mount: mount.name,
        operation: name,
        keyed,
        bodyName:
          key.kind === 'junk' && bodyName === 'same'
            ? 'none'
            : !keyed && bodyName === 'other'
              ? 'same'
              : bodyName,
      };
      const data: Record<string, unknown> = { ...plan.data };
      if (route.bodyName === 'same') data.name = keyText;
      if (route.bodyName === 'other') data.name = `${keyText}-other`;
      const keySegment = badKey ?? encodeSegment(keyText);
      const refused = mount.refused || (keyed && badKey !== null);
      const path =
        `/v1/transit/${mount.refused ? mount.name : encodeSegment(mount.name)}` +
        `/${encodeSegment(name)}${keyed ? `/${keySegment}` : ''}`;
      const codes: BodyCodes = (who) => typedCodes(route, plan, who);
      return jsonBody(
        objectPlan(fc.constant({ value: data, defect: plan.defect }), codes),
        limits,
      ).map((body) => ({
        path: {
          path,
          defect: `${name} on ${mount.name}`,
          ...(refused ? { refused: ['bad_request'] as const } : {}),
        },
        body,
      }));
    });
}

// What `data` may be besides the plan's object: not an object at all.
const notAnObjectData = notA('object').filter((value) => value !== null);

function requestCodes(
  mount: string,
  operation: string,
  who: Who,
  dataDefect: boolean,
  planned: readonly ErrorCode[],
): readonly ErrorCode[] {
  if (mount !== FUZZ_MOUNT) return ['not_found'];
  return opCodes(operation, who, dataDefect, planned);
}

function engineRequests(
  operation: string,
  known: KnownValues,
  limits: BodyLimits,
): Arbitrary<Request> {
  const envelope: Fields = {
    mount: mountNameField,
    operation: stringField({
      max: 64,
      valid: fc.constantFrom(...OPERATIONS),
      required: true,
    }),
  };
  // A body the route refuses before it looks for the mount.
  const broken = fc
    .tuple(defectiveObject(envelope, ['data']), plansFor(operation, known))
    .map(([{ value, defect }, plan]) => {
      (value as Record<string, unknown>).data = plan.data;
      return { value, defect: `envelope: ${defect}` };
    });
  const wellFormed = fc
    .record({
      mount: fc.oneof(
        { arbitrary: fc.constant(FUZZ_MOUNT), weight: 8 },
        { arbitrary: absentName, weight: 1 },
      ),
      operation: operationOf(operation),
      plan: plansFor(operation, known),
      odd: sometimes(notAnObjectData, 8),
      withName: fc.constantFrom(true, true, true, false),
    })
    .map(({ mount, operation: name, plan, odd, withName }) => {
      const { key } = plan;
      const data: Record<string, unknown> = { ...plan.data };
      if (withName) data.name = key.kind === 'name' ? key.name : key.text;
      const dataDefect =
        odd !== null ||
        key.kind === 'junk' ||
        !withName ||
        name === 'list-keys';
      return {
        value: { mount, operation: name, data: odd ?? data },
        defect: odd === null ? plan.defect : 'data not an object',
        codes: (who: Who) =>
          requestCodes(mount, name, who, dataDefect, plan.codes),
      };
    });
  return jsonBody(
    fc.oneof(
      { arbitrary: objectPlan(broken, ['bad_request']), weight: 1 },
      {
        arbitrary: wellFormed.chain(({ value, defect, codes }) =>
          objectPlan(fc.constant({ value, defect }), codes),
        ),
        weight: 4,
      },
    ),
    limits,
  ).map((body) => ({ path: { path: '/v1/engine/request' }, body }));
}

/**
 * transitEndpoints are every transit operation by both routes, and an
 * operation transit does not have, each an endpoint of its own.
 */
export function transitEndpoints(
  known: KnownValues,
  limits: BodyLimits,
): Endpoint[] {
  const endpoints: Endpoint[] = [];
  for (const operation of [...OPERATIONS, UNKNOWN_OPERATION]) {
    endpoints.push({
      group: 'transit',
      method: 'POST',
      template:
        operation === 'list-keys'
          ? '/v1/transit/:mount/list-keys'
          : `/v1/transit/:mount/${operation}/:key`,
      access: 'user',
      requests: typedRequests(operation, known, limits),
    });
    endpoints.push({
      group: 'engine-request',
      method: 'POST',
      template: `/v1/engine/request ${operation}`,
      access: 'user',
      requests: engineRequests(operation, known, limits),
    });
  }
  return endpoints;
}
