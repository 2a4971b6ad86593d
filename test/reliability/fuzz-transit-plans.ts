// What each transit operation must refuse: inputs with a defect in a
// field, and inputs that fit the schema but still cannot succeed (a key
// of the wrong purpose, a value that does not open, a key that does not
// exist, exists already, or may not be deleted or exported).
import fc from 'fast-check';
import type { Arbitrary } from 'fast-check';

import { KEY_NAME } from '../../src/engines/transit/key-type-names.js';
import type { ErrorCode } from '../../src/errors/index.js';
import { defectiveObject, validObject } from './fuzz-fields.js';
import { absentName } from './fuzz-noise.js';
import { FIELDS, FUZZ_KEYS } from './fuzz-transit-fields.js';
import type { KnownValues } from './fuzz-transit-fields.js';
import {
  badValue,
  hostileString,
  malformedValue,
  validBase64,
} from './fuzz-values.js';

/** KeyRef is the key a plan names: a real or absent one, or junk. */
export type KeyRef =
  | { readonly kind: 'name'; readonly name: string }
  | { readonly kind: 'junk'; readonly text: string };

/** OpPlan is an operation's input, without the key, and its codes. */
export interface OpPlan {
  readonly key: KeyRef;
  readonly data: Record<string, unknown>;
  readonly defect: string;
  /** The codes for a caller the policy lets through. */
  readonly codes: readonly ErrorCode[];
}

const named = (name: string): KeyRef => ({ kind: 'name', name });

const anyKey: Arbitrary<KeyRef> = fc.oneof(
  {
    arbitrary: fc.constantFrom(...Object.values(FUZZ_KEYS)).map(named),
    weight: 3,
  },
  { arbitrary: absentName.map(named), weight: 1 },
  {
    arbitrary: hostileString(40, false)
      .filter((name) => name !== '' && !KEY_NAME.test(name))
      .map((junk): KeyRef => ({ kind: 'junk', text: junk })),
    weight: 1,
  },
);

function plan(
  key: Arbitrary<KeyRef>,
  data: Arbitrary<Record<string, unknown>>,
  defect: string,
  codes: readonly ErrorCode[],
): Arbitrary<OpPlan> {
  return fc
    .tuple(key, data)
    .map(([ref, value]) => ({ key: ref, data: value, defect, codes }));
}

const nonEmptyBase64 = fc
  .uint8Array({ minLength: 1, maxLength: 32 })
  .map((bytes) => Buffer.from(bytes).toString('base64'));

const { aes, sign, mac } = FUZZ_KEYS;
const one = (name: string): Arbitrary<KeyRef> => fc.constant(named(name));
const two = (a: string, b: string): Arbitrary<KeyRef> =>
  fc.constantFrom(a, b).map(named);
const BAD: readonly ErrorCode[] = ['bad_request'];
const UNOPENED: readonly ErrorCode[] = [
  'invalid_ciphertext',
  'decryption_failed',
];

// The smallest valid input of each keyed operation, for a key that does
// not exist.
function minimal(
  operation: string,
  known: KnownValues,
): Record<string, unknown> {
  const inputs: Readonly<Record<string, Record<string, unknown>>> = {
    encrypt: { plaintext: '' },
    decrypt: { ciphertext: known.ciphertext },
    rewrap: { ciphertext: known.ciphertext },
    datakey: { type: 'wrapped' },
    sign: { input: '' },
    verify: { input: '', signature: known.signature },
    hmac: { input: '' },
    'verify-hmac': { input: '', hmac: known.hmac },
    'export-key': { type: 'public-key' },
  };
  return inputs[operation] ?? {};
}

// A ciphertext of the encryption key that must not open: changed, given
// a context it was not made with, or without the one it was.
function unopened(known: KnownValues): Arbitrary<OpPlan>[] {
  const wrongContext = nonEmptyBase64.filter((c) => c !== known.context);
  return [
    plan(
      one(aes),
      badValue(known.ciphertext).map((c) => ({ ciphertext: c })),
      'bad ciphertext',
      UNOPENED,
    ),
    plan(
      one(aes),
      wrongContext.map((c) => ({ ciphertext: known.ciphertext, context: c })),
      'unexpected context',
      UNOPENED,
    ),
    plan(
      one(aes),
      fc.constant({ ciphertext: known.withContext }),
      'missing context',
      UNOPENED,
    ),
    plan(
      one(aes),
      wrongContext.map((c) => ({ ciphertext: known.withContext, context: c })),
      'wrong context',
      UNOPENED,
    ),
    plan(
      two(sign, mac),
      fc.constant({ ciphertext: known.ciphertext }),
      'wrong purpose',
      BAD,
    ),
  ];
}

type Planner = (known: KnownValues) => Arbitrary<OpPlan>[];

const input = validBase64.map((i) => ({ input: i }));

// Inputs that fit each operation's schema and still must be refused.
const WELL_FORMED: Readonly<Record<string, Planner>> = {
  'create-key': () => [
    plan(
      fc.constantFrom(aes, sign, mac).map(named),
      validObject(FIELDS['create-key'] ?? {}),
      'a key that exists',
      ['already_exists'],
    ),
  ],
  'delete-key': () => [
    plan(
      fc.constantFrom(aes, sign, mac).map(named),
      fc.constant({}),
      'deletion not allowed',
      BAD,
    ),
  ],
  encrypt: () => [
    plan(
      two(sign, mac),
      validBase64.map((p) => ({ plaintext: p })),
      'wrong purpose',
      BAD,
    ),
  ],
  decrypt: unopened,
  rewrap: unopened,
  datakey: () => [
    plan(
      two(sign, mac),
      fc.constantFrom('wrapped', 'plaintext').map((t) => ({ type: t })),
      'wrong purpose',
      BAD,
    ),
  ],
  sign: () => [plan(two(aes, mac), input, 'wrong purpose', BAD)],
  verify: () => [
    plan(
      one(sign),
      fc
        .tuple(validBase64, malformedValue('signature'))
        .map(([i, v]) => ({ input: i, signature: v })),
      'malformed signature',
      BAD,
    ),
  ],
  hmac: () => [plan(two(aes, sign), input, 'wrong purpose', BAD)],
  'verify-hmac': () => [
    plan(
      one(mac),
      fc
        .tuple(validBase64, malformedValue('hmac'))
        .map(([i, v]) => ({ input: i, hmac: v })),
      'malformed hmac',
      BAD,
    ),
  ],
  'export-key': () => [
    plan(
      one(aes),
      fc.constant({ type: 'encryption-key' }),
      'not exportable',
      BAD,
    ),
    plan(
      one(sign),
      fc.constant({ type: 'signing-key' }),
      'not exportable',
      BAD,
    ),
    plan(one(mac), fc.constant({ type: 'hmac-key' }), 'not exportable', BAD),
  ],
};

// Every keyed operation but create-key also meets a key that does not
// exist, with its smallest valid input.
function wellFormed(
  operation: string,
  known: KnownValues,
): Arbitrary<OpPlan>[] {
  const plans = WELL_FORMED[operation]?.(known) ?? [];
  if (operation !== 'create-key' && operation !== 'list-keys') {
    plans.push(
      plan(
        absentName.map(named),
        fc.constant(minimal(operation, known)),
        'no such key',
        ['not_found'],
      ),
    );
  }
  return plans;
}

/** opPlans are the inputs an operation must refuse, of both kinds. */
export function opPlans(
  operation: string,
  known: KnownValues,
): Arbitrary<OpPlan> {
  const fields = FIELDS[operation] ?? {};
  const defective = fc
    .tuple(anyKey, defectiveObject(fields, ['name']))
    .map(([key, { value, defect }]) => ({
      key,
      data: value as Record<string, unknown>,
      defect,
      codes: ['bad_request'] as const,
    }));
  const others = wellFormed(operation, known);
  if (others.length === 0) return defective;
  return fc.oneof(
    { arbitrary: defective, weight: 1 },
    { arbitrary: fc.oneof(...others), weight: 1 },
  );
}
