// The input schemas of transit's operations, checked on the main thread
// before a request reaches the key worker. Errors name the field.
import { z } from 'zod';

import {
  DATAKEY_BITS,
  KEY_NAME,
  KEY_NAME_RULE,
  MAX_BATCH,
  SIGNATURE_HASHES,
  TRANSIT_KEY_TYPES,
} from './key-type-names.js';
import { isBase64 } from './value-format.js';

const name = z.string({ error: 'must be a string' }).regex(KEY_NAME, {
  error: KEY_NAME_RULE,
});
const base64 = z
  .string({ error: 'must be a base64 string' })
  .refine(isBase64, { error: 'must be base64' });
// Values are parsed, with their own messages, by the core.
const value = z.string({ error: 'must be a string' }).max(16 * 1024 * 1024);
const version = z.int({ error: 'must be a whole number' }).min(1, {
  error: 'must be 1 or more',
});
const hash = z.enum(SIGNATURE_HASHES, {
  error: `must be one of ${SIGNATURE_HASHES.join(', ')}`,
});

/**
 * single builds the schema of an operation that takes one item or a
 * `batch_input` list of them: the item's fields may appear at the top
 * (one item) or in each list entry, never both.
 */
function single<I extends z.core.$ZodLooseShape>(
  item: I,
  extra: z.core.$ZodLooseShape,
  first: keyof I & string,
): z.ZodType {
  const required = Object.keys(item);
  return z
    .strictObject({
      name,
      ...extra,
      ...Object.fromEntries(
        Object.entries(item).map(([field, schema]) => [
          field,
          (schema as z.ZodType).optional(),
        ]),
      ),
      batch_input: z
        .array(z.strictObject(item), { error: 'must be a list' })
        .min(1, { error: 'must not be empty' })
        .max(MAX_BATCH, {
          error: `must hold at most ${String(MAX_BATCH)} items`,
        })
        .optional(),
    })
    .superRefine((data, ctx) => {
      const record = data as Record<string, unknown>;
      const given = required.filter(
        (field) => record[field] !== undefined && field !== 'context',
      );
      if (record.batch_input !== undefined && given.length > 0) {
        ctx.addIssue({
          code: 'custom',
          path: ['batch_input'],
          message: `give batch_input or ${first}, not both`,
        });
      } else if (record.batch_input === undefined) {
        for (const field of required) {
          if (field === 'context' || record[field] !== undefined) continue;
          ctx.addIssue({
            code: 'custom',
            path: [field],
            message: 'is required (or give batch_input)',
          });
          return;
        }
      }
    });
}

const context = base64.optional();

/** INPUT_SCHEMAS maps each transit operation to its input schema. */
export const INPUT_SCHEMAS: Readonly<Record<string, z.ZodType>> = {
  'create-key': z.strictObject({
    name,
    type: z
      .enum(TRANSIT_KEY_TYPES, {
        error: `must be one of ${TRANSIT_KEY_TYPES.join(', ')}`,
      })
      .optional(),
    exportable: z.boolean({ error: 'must be true or false' }).optional(),
    deletion_allowed: z.boolean({ error: 'must be true or false' }).optional(),
  }),
  'get-key': z.strictObject({ name }),
  'list-keys': z.strictObject({}),
  'delete-key': z.strictObject({ name }),
  'rotate-key': z.strictObject({ name }),
  'update-key-config': z.strictObject({
    name,
    min_decryption_version: version.optional(),
    min_encryption_version: z
      .int({ error: 'must be a whole number' })
      .min(0, { error: 'must be 0 or more' })
      .optional(),
    deletion_allowed: z.boolean({ error: 'must be true or false' }).optional(),
    exportable: z.boolean({ error: 'must be true or false' }).optional(),
  }),
  'trim-key': z.strictObject({
    name,
    min_available_version: version.optional(),
  }),
  encrypt: single(
    { plaintext: base64, context },
    { key_version: version.optional() },
    'plaintext',
  ),
  decrypt: single({ ciphertext: value, context }, {}, 'ciphertext'),
  rewrap: single(
    { ciphertext: value, context },
    { key_version: version.optional() },
    'ciphertext',
  ),
  datakey: z.strictObject({
    name,
    type: z.enum(['plaintext', 'wrapped'], {
      error: 'must be plaintext or wrapped',
    }),
    bits: z
      .union(
        DATAKEY_BITS.map((bits) => z.literal(bits)),
        {
          error: 'must be 128, 256 or 512',
        },
      )
      .optional(),
    context,
    key_version: version.optional(),
  }),
  sign: single(
    { input: base64 },
    { hash_algorithm: hash.optional(), key_version: version.optional() },
    'input',
  ),
  verify: single(
    { input: base64, signature: value },
    { hash_algorithm: hash.optional() },
    'input',
  ),
  hmac: single({ input: base64 }, { key_version: version.optional() }, 'input'),
  'verify-hmac': z.strictObject({ name, input: base64, hmac: value }),
  'export-key': z.strictObject({
    name,
    type: z.enum(['encryption-key', 'signing-key', 'hmac-key', 'public-key'], {
      error: 'must be encryption-key, signing-key, hmac-key or public-key',
    }),
    version: version.optional(),
  }),
};
