// What each ciphertext of the key hierarchy is bound to: the key reference
// its frame names and the associated data that ties it to its place.
import type { KeyRef } from '../crypto/index.js';

// Three kinds of frame, all in the format of src/crypto/aead.ts:
//
//   what            sealed under        frame key ref         associated data
//   MEK             KWK                 kwk v1                "seal_config/mek/v<mek version>"
//   DEK             MEK                 mek v<mek version>    "barrier_keys/<key id>/v<version>"
//   barrier entry   DEK of its key id   <key id> v<version>   "barrier_entries/<path>"
//
// The prefixes keep the three domains apart: no frame of one kind can be
// accepted as another even if the strings after the prefix collide. A DEK
// copied to another key id or version, or an entry copied to another path,
// carries the wrong associated data and fails its tag.

/** KWK_REF names the key-wrapping key; it is derived, never stored. */
export const KWK_REF: KeyRef = { id: 'kwk', version: 1 };

/** MEK_KEY_ID is the key id under which DEKs are sealed. */
export const MEK_KEY_ID = 'mek';

/** mekRef names MEK version v. */
export function mekRef(version: number): KeyRef {
  return { id: MEK_KEY_ID, version };
}

/** mekContext binds a sealed MEK to its version. */
export function mekContext(mekVersion: number): string {
  return `seal_config/mek/v${String(mekVersion)}`;
}

/** dekContext binds a sealed DEK to its key id and version. */
export function dekContext(keyId: string, version: number): string {
  return `barrier_keys/${keyId}/v${String(version)}`;
}

/** entryContext binds a barrier entry to its path. */
export function entryContext(path: string): string {
  return `barrier_entries/${path}`;
}
