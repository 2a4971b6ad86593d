// Request bodies for the bad-input fuzz: objects the route refuses, and
// bodies the body reader refuses whatever the endpoint (not JSON, not
// UTF-8, too large, too deep, not an object, compressed, another charset).
import fc from 'fast-check';
import type { Arbitrary } from 'fast-check';

import type { ErrorCode } from '../../src/errors/index.js';
import type { BodyCodes, BodyPlan } from './fuzz-case.js';
import type { Defective } from './fuzz-fields.js';
import {
  deepJson,
  malformedJson,
  nonUtf8Json,
  notAnObject,
} from './fuzz-texts.js';

// Content types the API reads as JSON all the same (docs/API.md,
// "Request bodies"), and no header at all.
const BENIGN_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/json;charset="UTF-8"',
  'APPLICATION/JSON',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=xyz',
  'application/xml',
  '*/*',
  'text/html; charset=UTF-8',
];

/** benignType is a Content-Type header the body reader accepts, or none. */
export const benignType: Arbitrary<Record<string, string>> = fc
  .option(fc.constantFrom(...BENIGN_TYPES))
  .map((type) => (type === null ? {} : { 'content-type': type }));

const BAD_CHARSETS = [
  'latin1',
  'iso-8859-1',
  'utf-16',
  'UTF-16LE',
  'utf-7',
  'us-ascii',
  'shift_jis',
  'cp1252',
];
const BAD_ENCODINGS = [
  'gzip',
  'deflate',
  'br',
  'zstd',
  'x-gzip',
  'identity, gzip',
  'GZIP',
  'chunked',
];

/** objectPlan turns defective values into bodies the route must refuse. */
export function objectPlan(
  values: Arbitrary<Defective>,
  codes: BodyCodes | readonly ErrorCode[],
): Arbitrary<BodyPlan> {
  const byWho: BodyCodes = typeof codes === 'function' ? codes : () => codes;
  return fc.tuple(values, benignType).map(([{ value, defect }, headers]) => ({
    kind: 'object',
    defect,
    text: JSON.stringify(value),
    headers,
    codes: byWho,
  }));
}

/** BodyLimits are the server's body size and nesting limits. */
export interface BodyLimits {
  readonly limitBytes: number;
  readonly maxDepth: number;
}

/**
 * transportPlan is a body the body reader refuses before any route sees
 * it: not JSON, not UTF-8, too large (with a length or chunked), nested
 * too deep, not an object, compressed, or in another character set.
 */
export function transportPlan(limits: BodyLimits): Arbitrary<BodyPlan> {
  const plain = (
    defect: string,
    bodies: Arbitrary<string | Uint8Array>,
    codes: readonly ErrorCode[] = ['bad_request'],
  ): Arbitrary<BodyPlan> =>
    fc.tuple(bodies, benignType).map(([body, headers]) => ({
      kind: 'transport',
      defect,
      body,
      headers,
      chunked: false,
      codes,
    }));
  const { limitBytes } = limits;
  return fc.oneof(
    plain('malformed JSON', malformedJson),
    plain('bytes that are not UTF-8', nonUtf8Json),
    plain('not an object', notAnObject),
    plain('nested too deep', deepJson(limits.maxDepth, limitBytes)),
    fc
      .tuple(
        fc.integer({ min: limitBytes + 1, max: limitBytes * 2 }),
        fc.boolean(),
      )
      .map(([size, chunked]): BodyPlan => ({
        kind: 'transport',
        defect: chunked ? 'too large, chunked' : 'too large',
        body: `{"password":"${'x'.repeat(size)}"}`,
        headers: { 'content-type': 'application/json' },
        chunked,
        codes: ['request_too_large'],
      })),
    fc.constantFrom(...BAD_CHARSETS).map((charset): BodyPlan => ({
      kind: 'transport',
      defect: `charset ${charset}`,
      body: '{}',
      headers: { 'content-type': `application/json; charset=${charset}` },
      chunked: false,
      codes: ['bad_request'],
    })),
    fc.constantFrom(...BAD_ENCODINGS).map((encoding): BodyPlan => ({
      kind: 'transport',
      defect: `content-encoding ${encoding}`,
      body: '{}',
      headers: { 'content-encoding': encoding },
      chunked: false,
      codes: ['bad_request'],
    })),
  );
}

/** jsonBody is an object plan or a transport plan, objects more often. */
export function jsonBody(
  objects: Arbitrary<BodyPlan>,
  limits: BodyLimits,
): Arbitrary<BodyPlan> {
  return fc.oneof(
    { arbitrary: objects, weight: 3 },
    { arbitrary: transportPlan(limits), weight: 2 },
  );
}
