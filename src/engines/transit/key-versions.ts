// Which version of a key an operation may use: the newest (or a chosen
// one) to make a value, and the one a value names to open or check it,
// within the minimums the key's settings set.
import { MetacryptError } from '../../errors/index.js';
import type { KeyMeta } from './transit-keyring.js';
import type { ValueKind } from './value-format.js';

/**
 * versionToMake returns the version new values use: requested, or the
 * latest; never below min_encryption_version or a trimmed version.
 */
export function versionToMake(meta: KeyMeta, requested?: number): number {
  const version = requested ?? meta.latest_version;
  const lowest = Math.max(
    meta.min_encryption_version,
    meta.min_available_version,
  );
  if (version < lowest || version > meta.latest_version) {
    throw new MetacryptError(
      'bad_request',
      `key_version: must be ${String(lowest)} to ` +
        `${String(meta.latest_version)} for key ${meta.name}`,
    );
  }
  return version;
}

/**
 * versionToOpen checks that the version a value names may still open or
 * verify it. A ciphertext that may not is `invalid_ciphertext`; a
 * signature or HMAC, `bad_request`. Each case has its own message.
 */
export function versionToOpen(
  meta: KeyMeta,
  version: number,
  kind: ValueKind,
): number {
  const code = kind === 'ciphertext' ? 'invalid_ciphertext' : 'bad_request';
  const what = `${kind} version ${String(version)}`;
  if (version > meta.latest_version) {
    throw new MetacryptError(
      code,
      `${what} does not exist for key ${meta.name} (latest is ` +
        `${String(meta.latest_version)})`,
    );
  }
  if (version < meta.min_available_version) {
    throw new MetacryptError(code, `${what} was trimmed from key ${meta.name}`);
  }
  if (version < meta.min_decryption_version) {
    throw new MetacryptError(
      code,
      `${what} is below the minimum decryption version ` +
        `${String(meta.min_decryption_version)} of key ${meta.name}`,
    );
  }
  return version;
}
