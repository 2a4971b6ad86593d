// Valid inputs for every admin-only engine operation and body for every
// admin endpoint, so that a refusal the probes see is the admin check's,
// not a validation message's. An admin operation or endpoint without an
// entry here fails the abuse test rather than going unprobed.
import type { JsonObject } from '../../src/engine/json.js';
import { KEY_PURPOSE } from '../../src/engines/transit/key-type-names.js';
import { PASSWORD } from '../keyworker/vault-scratch.js';
import type { Victims, VictimKey } from './abuse-victims.js';

/** NEW_SEAL_PASSWORD is what a rekey probe offers as the new password. */
export const NEW_SEAL_PASSWORD = 'alice would like this password';

const EXPORT_KIND = {
  encryption: 'encryption-key',
  signing: 'signing-key',
  hmac: 'hmac-key',
} as const;

/** exportKind is the export-key type that hands out key's material. */
export function exportKind(key: VictimKey): string {
  return EXPORT_KIND[KEY_PURPOSE[key.type]];
}

/**
 * operationInput is a valid `data` for an admin-only operation, aimed at
 * key where the operation takes one; undefined when none is known.
 */
export function operationInput(
  type: string,
  operation: string,
  key: VictimKey,
): JsonObject | undefined {
  const name = key.name;
  const inputs: Record<string, Record<string, JsonObject>> = {
    transit: {
      'create-key': { name: `alice-${key.type}`, type: key.type },
      'delete-key': { name },
      'rotate-key': { name },
      'update-key-config': { name, min_decryption_version: 1 },
      'trim-key': { name, min_available_version: 2 },
      'export-key': { name, type: exportKind(key) },
    },
    notes: { wipe: {}, 'make-key': {} },
  };
  return inputs[type]?.[operation];
}

/** takesKey tells whether an operation's input names a transit key. */
export function takesKey(input: JsonObject): boolean {
  return typeof input.name === 'string';
}

/** Probe is one request as alice would send it. */
export interface Probe {
  readonly method: string;
  readonly path: string;
  readonly json?: unknown;
}

/**
 * endpointProbe fills in an admin endpoint's path parameters and body,
 * each of which would succeed for an admin: the right seal password, a
 * rule and a mount that exist. Undefined for an endpoint not known here.
 */
export function endpointProbe(
  method: string,
  path: string,
  victims: Victims,
): Probe | undefined {
  const rule = {
    priority: 1,
    effect: 'allow',
    usernames: ['alice'],
    resources: ['engine/*/*'],
    actions: ['any'],
  };
  const bodies: Record<string, { json?: unknown } | undefined> = {
    'POST /v1/seal': {},
    'POST /v1/rekey': {
      json: { old_password: PASSWORD, new_password: NEW_SEAL_PASSWORD },
    },
    'GET /v1/barrier/keys': {},
    'POST /v1/barrier/rotate-mek': { json: { password: PASSWORD } },
    'POST /v1/barrier/rotate-key': { json: { key_id: 'system' } },
    'POST /v1/engine/mount': { json: { name: 'alice', type: 'transit' } },
    'POST /v1/engine/unmount': { json: { name: victims.transitMount } },
    'GET /v1/policy/rules': {},
    'POST /v1/policy/rules': { json: { id: 'alice-rule', ...rule } },
    'GET /v1/policy/rule/:id': {},
    'PUT /v1/policy/rule/:id': { json: { ...rule, effect: 'deny' } },
    'DELETE /v1/policy/rule/:id': {},
    'GET /v1/metrics': {},
  };
  const body = bodies[`${method} ${path}`];
  if (body === undefined) return undefined;
  return { method, path: path.replace(':id', victims.ruleId), ...body };
}

/** UI_FIELDS are the form fields of each admin form alice posts. */
export function uiFields(
  path: string,
  victims: Victims,
  key: VictimKey,
): Record<string, string> | undefined {
  const forms: Record<string, Record<string, string>> = {
    '/dashboard/mount': { name: 'alice', type: 'transit' },
    '/dashboard/unmount': { name: victims.transitMount },
    '/dashboard/rules': {
      id: 'alice-ui-rule',
      priority: '1',
      effect: 'allow',
      usernames: 'alice',
      resources: 'engine/*/*',
      actions: 'any',
    },
    '/dashboard/rules/delete': { id: victims.ruleId },
    '/dashboard/seal': {},
    '/dashboard/transit/:mount/create-key': {
      name: `alice-ui-${key.type}`,
      type: key.type,
    },
  };
  return forms[path];
}
