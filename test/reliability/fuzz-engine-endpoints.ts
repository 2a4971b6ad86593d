// The engine endpoints outside engine requests as the bad-input fuzz
// attacks them: types, mounts, mount and unmount, never touching the
// target's own mount (docs/API.md).
import fc from 'fast-check';

import { jsonBody, objectPlan } from './fuzz-bodies.js';
import type { BodyLimits } from './fuzz-bodies.js';
import {
  bodyless,
  fixed,
  FUZZ_MOUNT,
  mountNameField,
} from './fuzz-endpoint.js';
import type { Endpoint } from './fuzz-endpoint.js';
import { defectiveObject, stringField } from './fuzz-fields.js';
import type { Fields } from './fuzz-fields.js';
import { absentName } from './fuzz-noise.js';
import { hostileString, notA } from './fuzz-values.js';

/** engineEndpoints are types, mounts, mount and unmount. */
export function engineEndpoints(limits: BodyLimits): Endpoint[] {
  const mount: Fields = {
    name: mountNameField,
    type: stringField({
      max: 64,
      valid: fc.constantFrom('transit', 'notes', 'kms'),
      required: true,
    }),
    config: { valid: fc.constant({}), bad: notA('object') },
  };
  const unknownType = hostileString(40)
    .filter((type) => type.length >= 1 && type.length <= 64)
    .filter((type) => type !== 'transit' && type !== 'notes');
  const semantic = fc.oneof(
    fc.constantFrom('transit', 'notes').map((type) => ({
      value: { name: FUZZ_MOUNT, type },
      defect: 'a name already mounted',
      codes: ['already_exists' as const],
    })),
    fc.tuple(absentName, unknownType).map(([name, type]) => ({
      value: { name, type },
      defect: 'unknown type',
      codes: ['bad_request' as const],
    })),
    fc
      .tuple(
        absentName,
        fc.dictionary(hostileString(12), fc.jsonValue({ maxDepth: 1 }), {
          minKeys: 1,
          maxKeys: 3,
        }),
      )
      .map(([name, config]) => ({
        value: { name, type: 'transit', config },
        defect: 'transit takes no config',
        codes: ['bad_request' as const],
      })),
    fc
      .tuple(absentName, fc.oneof(notA('string'), fc.constant('x'.repeat(21))))
      .map(([name, colour]) => ({
        value: { name, type: 'notes', config: { colour } },
        defect: 'bad notes colour',
        codes: ['bad_request' as const],
      })),
  );
  return [
    bodyless('engine', 'GET', '/v1/engine/types', 'user'),
    bodyless('engine', 'GET', '/v1/engine/mounts', 'user'),
    {
      group: 'engine',
      method: 'POST',
      template: '/v1/engine/mount',
      access: 'admin',
      requests: fixed(
        '/v1/engine/mount',
        jsonBody(
          fc.oneof(
            objectPlan(defectiveObject(mount), ['bad_request']),
            semantic.chain(({ value, defect, codes }) =>
              objectPlan(fc.constant({ value, defect }), codes),
            ),
          ),
          limits,
        ),
      ),
    },
    {
      group: 'engine',
      method: 'POST',
      template: '/v1/engine/unmount',
      access: 'admin',
      requests: fixed(
        '/v1/engine/unmount',
        jsonBody(
          fc.oneof(
            objectPlan(defectiveObject({ name: mountNameField }), [
              'bad_request',
            ]),
            objectPlan(
              absentName.map((name) => ({
                value: { name },
                defect: 'no such mount',
              })),
              ['not_found'],
            ),
          ),
          limits,
        ),
      ),
    },
  ];
}
