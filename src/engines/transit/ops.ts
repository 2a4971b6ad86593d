// The transit engine's main-thread half: each operation's input schema,
// the policy action it needs and whether only admins may run it. The
// crypto is in core.ts, in the key worker.
import { z } from 'zod';

import type { EngineOps, OperationSpec } from '../../engine/engine-ops.js';
import type { EngineDefinition } from '../../engine/registry.js';
import type { RequestAction } from '../../policy/index.js';
import { INPUT_SCHEMAS } from './input-schemas.js';

function op(
  name: string,
  summary: string,
  action: RequestAction,
  adminOnly = false,
): [string, OperationSpec] {
  const input = INPUT_SCHEMAS[name];
  if (input === undefined) throw new Error(`transit: no schema for ${name}`);
  return [name, { summary, input, action, adminOnly }];
}

/** engineOps is the transit engine's operation catalogue. */
export const engineOps: EngineOps = {
  type: 'transit',
  summary: 'Encryption as a service, by named keys kept in the key worker.',
  config: z.strictObject({}),
  operations: Object.fromEntries([
    op('create-key', 'Create a named key.', 'write', true),
    op('get-key', 'Describe a key: settings, versions, public keys.', 'read'),
    op('list-keys', 'List the key names.', 'read'),
    op('delete-key', 'Delete a key whose deletion is allowed.', 'write', true),
    op('rotate-key', 'Add a key version; new values use it.', 'write', true),
    op(
      'update-key-config',
      'Change minimum versions, deletion_allowed or exportable.',
      'write',
      true,
    ),
    op('trim-key', 'Delete versions below the minimum.', 'write', true),
    op('encrypt', 'Encrypt base64 plaintext.', 'encrypt'),
    op('decrypt', 'Decrypt a ciphertext to base64 plaintext.', 'decrypt'),
    op(
      'rewrap',
      'Re-encrypt a ciphertext under the newest version, in the worker.',
      'encrypt',
    ),
    op(
      'datakey',
      'Make a data key, wrapped (and plaintext if asked).',
      'encrypt',
    ),
    op('sign', 'Sign base64 input.', 'sign'),
    op('verify', 'Verify a signature.', 'verify'),
    op('hmac', 'HMAC base64 input.', 'hmac'),
    op('verify-hmac', 'Check an HMAC in constant time.', 'verify'),
    op('export-key', 'Export key material of an exportable key.', 'read', true),
  ]),
};

/** TRANSIT_ENGINE registers transit: its catalogue and its core's URL. */
export const TRANSIT_ENGINE: EngineDefinition = {
  ops: engineOps,
  coreModule: new URL('./core.js', import.meta.url).href,
};
