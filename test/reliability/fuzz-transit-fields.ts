// The transit operations as the bad-input fuzz sees them: the target's
// keys and the values they made, what the policy lets alice run, and each
// operation's input fields besides the key's name (docs/API.md, "Transit").
import fc from 'fast-check';

import {
  SIGNATURE_HASHES,
  TRANSIT_KEY_TYPES,
} from '../../src/engines/transit/key-type-names.js';
import { engineOps } from '../../src/engines/transit/ops.js';
import { batchField, boolField, enumField, intField } from './fuzz-fields.js';
import type { Field, Fields } from './fuzz-fields.js';
import { badBase64, notA, validBase64 } from './fuzz-values.js';

/** FUZZ_KEYS are the target's transit keys, one of each purpose. */
export const FUZZ_KEYS = {
  aes: 'fuzz-aes',
  sign: 'fuzz-sign',
  mac: 'fuzz-mac',
} as const;

/** ALICE_ACTIONS are what the target's one policy rule lets alice do. */
export const ALICE_ACTIONS: readonly string[] = ['encrypt', 'decrypt'];

/** KnownValues are genuine values the target made with its keys. */
export interface KnownValues {
  /** A ciphertext of FUZZ_KEYS.aes, without a context. */
  readonly ciphertext: string;
  /** A ciphertext of FUZZ_KEYS.aes made with `context`. */
  readonly withContext: string;
  readonly context: string;
  /** A signature by FUZZ_KEYS.sign and an HMAC by FUZZ_KEYS.mac. */
  readonly signature: string;
  readonly hmac: string;
}

/** OPERATIONS are the names of every transit operation. */
export const OPERATIONS = Object.keys(engineOps.operations);

/** aliceMay says whether the policy lets alice run an operation. */
export function aliceMay(operation: string): boolean {
  const spec = engineOps.operations[operation];
  return (
    spec !== undefined && !spec.adminOnly && ALICE_ACTIONS.includes(spec.action)
  );
}

const b64: Field = { valid: validBase64, bad: badBase64 };
const text: Field = {
  valid: fc.string({ maxLength: 40 }),
  bad: notA('string'),
};
const version = intField(1, 3);
const hash = enumField(SIGNATURE_HASHES);
const need = (field: Field): Field => ({ ...field, required: true });

/** FIELDS are each operation's input fields besides `name`. */
export const FIELDS: Readonly<Record<string, Fields>> = {
  'create-key': {
    type: enumField(TRANSIT_KEY_TYPES),
    exportable: boolField(),
    deletion_allowed: boolField(),
  },
  'get-key': {},
  'list-keys': {},
  'delete-key': {},
  'rotate-key': {},
  'update-key-config': {
    min_decryption_version: version,
    min_encryption_version: intField(0, 3),
    deletion_allowed: boolField(),
    exportable: boolField(),
  },
  'trim-key': { min_available_version: version },
  encrypt: {
    plaintext: b64,
    context: b64,
    key_version: version,
    batch_input: batchField({ plaintext: need(b64), context: b64 }),
  },
  decrypt: {
    ciphertext: text,
    context: b64,
    batch_input: batchField({ ciphertext: need(text), context: b64 }),
  },
  rewrap: {
    ciphertext: text,
    context: b64,
    key_version: version,
    batch_input: batchField({ ciphertext: need(text), context: b64 }),
  },
  datakey: {
    type: enumField(['plaintext', 'wrapped'], true),
    bits: enumField([128, 256, 512]),
    context: b64,
    key_version: version,
  },
  sign: {
    input: b64,
    hash_algorithm: hash,
    key_version: version,
    batch_input: batchField({ input: need(b64) }),
  },
  verify: {
    input: b64,
    signature: text,
    hash_algorithm: hash,
    batch_input: batchField({ input: need(b64), signature: need(text) }),
  },
  hmac: {
    input: b64,
    key_version: version,
    batch_input: batchField({ input: need(b64) }),
  },
  'verify-hmac': { input: need(b64), hmac: need(text) },
  'export-key': {
    type: enumField(
      ['encryption-key', 'signing-key', 'hmac-key', 'public-key'],
      true,
    ),
    version,
  },
};
