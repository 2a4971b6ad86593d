// Routing for the bad-input fuzz: every path of docs/API.md asked with
// methods it does not take, and paths under /v1 that nothing serves.
import { METHODS } from 'node:http';

import fc from 'fast-check';
import type { Arbitrary } from 'fast-check';

import { combine } from './fuzz-case.js';
import type { ApiCase } from './fuzz-case.js';
import { anyCredential } from './fuzz-credentials.js';
import { encodeSegment, noiseHeaders, undecodable } from './fuzz-noise.js';
import { hostileString } from './fuzz-values.js';

// Each path of docs/API.md, filled in, with the methods it takes.
const SERVED: Readonly<Record<string, readonly string[]>> = {
  '/v1/status': ['GET'],
  '/v1/health': ['GET'],
  '/v1/init': ['POST'],
  '/v1/unseal': ['POST'],
  '/v1/seal': ['POST'],
  '/v1/rekey': ['POST'],
  '/v1/auth/login': ['POST'],
  '/v1/auth/logout': ['POST'],
  '/v1/auth/tokeninfo': ['GET'],
  '/v1/engine/types': ['GET'],
  '/v1/engine/mounts': ['GET'],
  '/v1/engine/mount': ['POST'],
  '/v1/engine/unmount': ['POST'],
  '/v1/engine/request': ['POST'],
  '/v1/transit/transit/encrypt/fuzz-aes': ['POST'],
  '/v1/transit/transit/list-keys': ['POST'],
  '/v1/policy/rules': ['GET', 'POST'],
  '/v1/policy/rule/fuzz-alice-transit': ['GET', 'PUT', 'DELETE'],
  '/v1/barrier/keys': ['GET'],
  '/v1/barrier/rotate-key': ['POST'],
  '/v1/barrier/rotate-mek': ['POST'],
  '/v1/metrics': ['GET'],
};

// HEAD is GET without a body, and CONNECT is a tunnel, not a request.
const METHODS_TRIED = METHODS.filter((m) => m !== 'HEAD' && m !== 'CONNECT');

// First segments the API serves under /v1 (Express matches paths
// without regard to case).
const TOP = [
  'status',
  'health',
  'init',
  'unseal',
  'seal',
  'rekey',
  'auth',
  'policy',
  'engine',
  'transit',
  'barrier',
  'metrics',
];

// Bodies here are small and never read.
const LIMIT_BYTES_UNUSED = Number.MAX_SAFE_INTEGER;

/** wrongMethods are served paths asked with a method they do not take. */
export const wrongMethods: Arbitrary<ApiCase> = fc
  .constantFrom(...Object.keys(SERVED))
  .chain((path) =>
    fc.record({
      path: fc.constant(path),
      method: fc.constantFrom(
        ...METHODS_TRIED.filter((m) => !(SERVED[path] ?? []).includes(m)),
      ),
      credential: anyCredential,
      headers: noiseHeaders,
      body: fc.option(fc.json({ maxDepth: 2 }), { freq: 2 }),
    }),
  )
  .map(({ path, method, credential, headers, body }) =>
    combine({
      group: 'routing',
      endpoint: 'a method a path does not take',
      method,
      access: 'anyone',
      limitBytes: LIMIT_BYTES_UNUSED,
      path: { path, defect: `${method} ${path}`, codes: () => ['not_found'] },
      credential,
      // A body is sent at times; no route reads it.
      body:
        body === null
          ? { kind: 'none' }
          : {
              kind: 'object',
              defect: 'a body',
              text: body,
              headers: {},
              codes: () => ['not_found'],
            },
      extraHeaders: headers,
    }),
  );

/** unknownPaths are paths under /v1 that nothing serves. */
export const unknownPaths: Arbitrary<ApiCase> = fc
  .record({
    first: hostileString(24, false).filter(
      (text) => text.trim() !== '' && !TOP.includes(text.toLowerCase()),
    ),
    rest: fc.array(
      fc.oneof(hostileString(16, false).map(encodeSegment), undecodable),
      {
        maxLength: 3,
      },
    ),
    method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH'),
    credential: anyCredential,
    headers: noiseHeaders,
  })
  .map(({ first, rest, method, credential, headers }) =>
    combine({
      group: 'routing',
      endpoint: 'a path nothing serves',
      method,
      access: 'anyone',
      limitBytes: LIMIT_BYTES_UNUSED,
      path: {
        path: ['/v1', encodeSegment(first), ...rest].join('/'),
        defect: 'unknown path',
        codes: () => ['not_found'],
      },
      credential,
      body: { kind: 'none' },
      extraHeaders: headers,
    }),
  );
