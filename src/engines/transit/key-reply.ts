// How a transit key is described in replies: its settings, its versions
// and their public keys, never a private or secret key.
import type { JsonObject } from '../../engine/json.js';
import { KEY_PURPOSE } from './key-type-names.js';
import type { KeyMeta } from './transit-keyring.js';

/** keyReply describes a key for get-key, create-key and the like. */
export function keyReply(meta: KeyMeta): JsonObject {
  const purpose = KEY_PURPOSE[meta.type];
  const versions: JsonObject = {};
  for (const [version, info] of Object.entries(meta.versions)) {
    versions[version] =
      info.public_key === undefined
        ? { created_at: info.created_at }
        : { created_at: info.created_at, public_key: info.public_key };
  }
  return {
    name: meta.name,
    type: meta.type,
    created_at: meta.created_at,
    latest_version: meta.latest_version,
    min_decryption_version: meta.min_decryption_version,
    min_encryption_version: meta.min_encryption_version,
    min_available_version: meta.min_available_version,
    deletion_allowed: meta.deletion_allowed,
    exportable: meta.exportable,
    supports_encryption: purpose === 'encryption',
    supports_signing: purpose === 'signing',
    supports_hmac: purpose === 'hmac',
    versions,
  };
}
