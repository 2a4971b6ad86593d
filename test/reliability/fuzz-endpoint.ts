// An endpoint as the bad-input fuzz attacks it: the requests it must
// refuse, combined with credentials, noise headers and query strings into
// cases; and what the target holds that no case may touch.
import fc from 'fast-check';
import type { Arbitrary } from 'fast-check';

import { MOUNT_NAME } from '../../src/engine/mount-name.js';
import type { BodyLimits } from './fuzz-bodies.js';
import { combine } from './fuzz-case.js';
import type { Access, ApiCase, BodyPlan, PathPlan } from './fuzz-case.js';
import { anyCredential, refusedCredential } from './fuzz-credentials.js';
import { stringField } from './fuzz-fields.js';
import type { Field } from './fuzz-fields.js';
import { absentName, noiseHeaders, query, sometimes } from './fuzz-noise.js';

/** FUZZ_RULE_ID is the policy rule the target holds; no case may touch it. */
export const FUZZ_RULE_ID = 'fuzz-alice-transit';

/** FUZZ_MOUNT is the transit mount the target holds. */
export const FUZZ_MOUNT = 'transit';

/** Request is a case's path and body, chosen together. */
export interface Request {
  readonly path: PathPlan;
  readonly body: BodyPlan;
}

/** Endpoint is one endpoint of docs/API.md and the requests it must refuse. */
export interface Endpoint {
  readonly group: string;
  readonly method: string;
  /** The path as docs/API.md writes it: `/v1/policy/rule/:id`. */
  readonly template: string;
  readonly access: Access;
  readonly requests: Arbitrary<Request>;
  /**
   * Whether the request itself is fine, so only a refused credential
   * makes a case: endpoints that read no body on a fixed path.
   */
  readonly credentialOnly?: boolean;
}

/** endpointCases are the cases of one endpoint. */
export function endpointCases(
  endpoint: Endpoint,
  limits: BodyLimits,
): Arbitrary<ApiCase> {
  const credential = endpoint.credentialOnly
    ? refusedCredential(endpoint.access)
    : anyCredential;
  return fc
    .record({
      credential,
      request: endpoint.requests,
      headers: noiseHeaders,
      query: sometimes(query, 5),
    })
    .map(({ credential, request, headers, query }) =>
      combine({
        group: endpoint.group,
        endpoint: `${endpoint.method} ${endpoint.template}`,
        method: endpoint.method,
        access: endpoint.access,
        limitBytes: limits.limitBytes,
        path: { ...request.path, path: request.path.path + (query ?? '') },
        credential,
        body: request.body,
        extraHeaders: headers,
      }),
    );
}

/** fixed is a request on one path with the given bodies. */
export function fixed(
  path: string,
  body: Arbitrary<BodyPlan>,
): Arbitrary<Request> {
  return body.map((plan) => ({ path: { path }, body: plan }));
}

/** NO_BODY is the body of an endpoint that reads none. */
export const NO_BODY: Arbitrary<BodyPlan> = fc.constant({ kind: 'none' });

/** bodyless is an endpoint that reads no body on a fixed path. */
export function bodyless(
  group: string,
  method: string,
  template: string,
  access: Access,
): Endpoint {
  return {
    group,
    method,
    template,
    access,
    requests: fixed(template, NO_BODY),
    credentialOnly: true,
  };
}

/** mountNameField is a mount name: the rule of docs/API.md, mount. */
export const mountNameField: Field = stringField({
  max: 64,
  pattern: MOUNT_NAME,
  valid: fc.oneof(fc.constant(FUZZ_MOUNT), absentName),
  required: true,
});
