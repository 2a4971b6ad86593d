// Transit's key management in the key worker: create, read, list, delete,
// rotate, reconfigure, trim and export named keys.
import { createPrivateKey } from 'node:crypto';

import type { JsonObject, JsonValue } from '../../engine/json.js';
import { MetacryptError } from '../../errors/index.js';
import {
  optionalBool,
  optionalInt,
  optionalText,
  text,
} from './input-fields.js';
import { DEFAULT_KEY_TYPE, KEY_PURPOSE } from './key-type-names.js';
import type { KeyPurpose, TransitKeyType } from './key-type-names.js';
import { keyReply } from './key-reply.js';
import type { KeyMeta, TransitKeyring } from './transit-keyring.js';

/** KeyOperation runs one key management operation on a mount's keys. */
export type KeyOperation = (
  keys: TransitKeyring,
  data: JsonObject,
) => JsonValue;

// Which purpose each export type needs.
const EXPORT_PURPOSE: Readonly<Record<string, KeyPurpose>> = {
  'encryption-key': 'encryption',
  'signing-key': 'signing',
  'hmac-key': 'hmac',
  'public-key': 'signing',
};

const createKey: KeyOperation = (keys, data) => {
  const type = (optionalText(data, 'type') ??
    DEFAULT_KEY_TYPE) as TransitKeyType;
  return keyReply(
    keys.create(text(data, 'name'), type, {
      exportable: optionalBool(data, 'exportable') ?? false,
      deletion_allowed: optionalBool(data, 'deletion_allowed') ?? false,
    }),
  );
};

const getKey: KeyOperation = (keys, data) =>
  keyReply(keys.meta(text(data, 'name')));

const listKeys: KeyOperation = (keys) => ({ keys: keys.names() });

const deleteKey: KeyOperation = (keys, data) => {
  const name = text(data, 'name');
  keys.delete(name);
  return { deleted: name };
};

const rotateKey: KeyOperation = (keys, data) =>
  keyReply(keys.rotate(text(data, 'name')));

const updateKeyConfig: KeyOperation = (keys, data) => {
  const settings = {
    min_decryption_version: optionalInt(data, 'min_decryption_version'),
    min_encryption_version: optionalInt(data, 'min_encryption_version'),
    deletion_allowed: optionalBool(data, 'deletion_allowed'),
    exportable: optionalBool(data, 'exportable'),
  };
  // Only the settings given change; absent ones keep their values.
  const given = Object.fromEntries(
    Object.entries(settings).filter(([, value]) => value !== undefined),
  );
  return keyReply(keys.update(text(data, 'name'), given));
};

const trimKey: KeyOperation = (keys, data) =>
  keyReply(
    keys.trim(text(data, 'name'), optionalInt(data, 'min_available_version')),
  );

/**
 * exportKey hands out key material: only for keys created or configured
 * exportable (public keys excepted, which are public), and only the kind
 * the key has. Symmetric keys come as base64, private keys as PKCS #8
 * PEM, public keys as SPKI PEM.
 */
const exportKey: KeyOperation = (keys, data) => {
  const name = text(data, 'name');
  const kind = text(data, 'type');
  const meta = keys.meta(name);
  const purpose = EXPORT_PURPOSE[kind];
  if (purpose === undefined || KEY_PURPOSE[meta.type] !== purpose) {
    throw new MetacryptError(
      'bad_request',
      `type: key ${name} (${meta.type}) has no ${kind} to export`,
    );
  }
  if (kind !== 'public-key' && !meta.exportable) {
    throw new MetacryptError('bad_request', `key ${name} is not exportable`);
  }

  const exported: JsonObject = {};
  for (const version of exportVersions(meta, optionalInt(data, 'version'))) {
    exported[String(version)] = exportOne(keys, meta, version, kind);
  }
  return { name, type: kind, keys: exported };
};

function exportVersions(meta: KeyMeta, version: number | undefined): number[] {
  if (version !== undefined) {
    if (meta.versions[String(version)] === undefined) {
      throw new MetacryptError(
        'not_found',
        `version ${String(version)} of key ${meta.name} not found`,
      );
    }
    return [version];
  }
  return Object.keys(meta.versions).map(Number);
}

function exportOne(
  keys: TransitKeyring,
  meta: KeyMeta,
  version: number,
  kind: string,
): string {
  if (kind === 'public-key') {
    return meta.versions[String(version)]?.public_key ?? '';
  }
  const { secret } = keys.material(meta, version);
  if (kind === 'signing-key') {
    return createPrivateKey({ key: secret, format: 'der', type: 'pkcs8' })
      .export({ format: 'pem', type: 'pkcs8' })
      .toString();
  }
  return secret.toString('base64');
}

/** KEY_OPERATIONS maps operation names to their handlers. */
export const KEY_OPERATIONS: Readonly<Record<string, KeyOperation>> = {
  'create-key': createKey,
  'get-key': getKey,
  'list-keys': listKeys,
  'delete-key': deleteKey,
  'rotate-key': rotateKey,
  'update-key-config': updateKeyConfig,
  'trim-key': trimKey,
  'export-key': exportKey,
};
