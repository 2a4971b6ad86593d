// Flags and the argument every transit command shares, defined once so
// each command reads the same: the mount, the key, and where input comes
// from.
import { Args, Flags } from '@oclif/core';
import type { Interfaces } from '@oclif/core';

import { SIGNATURE_HASHES } from '../engines/transit/key-type-names.js';
import { STDIN_PATH, toBase64 } from './input-bytes.js';

/** DEFAULT_TRANSIT_MOUNT is the mount name the API docs walk through. */
export const DEFAULT_TRANSIT_MOUNT = 'transit';

/** mountFlag is --mount: the transit mount the key lives on. */
export const mountFlag = Flags.string({
  char: 'm',
  summary: 'The transit mount the key is on.',
  helpValue: 'MOUNT',
  default: DEFAULT_TRANSIT_MOUNT,
});

/** keyArg is the key's name, the first argument of every transit command. */
export const keyArg = {
  name: Args.string({ description: 'The key name.', required: true }),
};

/**
 * textInputFlag is --<name>: a command's input given as text. It and
 * fileInputFlag(name) are exclusive, and one of them is required.
 */
export function textInputFlag(
  name: string,
  summary: string,
): Interfaces.OptionFlag<string | undefined> {
  return Flags.string({
    summary: `${summary}, as text (UTF-8).`,
    helpValue: 'TEXT',
    exactlyOne: [name, 'file'],
  });
}

/** fileInputFlag is --file: the input of --<name>, read from a file. */
export function fileInputFlag(
  name: string,
  what: string,
): Interfaces.OptionFlag<string | undefined> {
  return Flags.string({
    char: 'f',
    summary: `Read the ${what} from a file ('${STDIN_PATH}' for stdin).`,
    helpValue: 'PATH',
    exactlyOne: [name, 'file'],
  });
}

/** contextFlag is --context: associated data, given again to decrypt. */
export const contextFlag = Flags.string({
  summary: 'Context (associated data) as text; decryption needs the same.',
  helpValue: 'TEXT',
});

/** keyVersionFlag is --key-version: the key version that makes a value. */
export const keyVersionFlag = Flags.integer({
  summary: "The key version to use (default: the key's latest).",
  helpValue: 'N',
  min: 1,
});

/** hashAlgorithmFlag is --hash-algorithm, for ECDSA keys. */
export const hashAlgorithmFlag = Flags.string({
  summary:
    'The hash, for ECDSA keys (default sha2-256 for P-256, sha2-384 for ' +
    'P-384); Ed25519 signs the message itself.',
  options: [...SIGNATURE_HASHES],
});

/** contextField is --context as the API takes it: base64, or left out. */
export function contextField(context: string | undefined): {
  context?: string;
} {
  if (context === undefined) return {};
  return { context: toBase64(Buffer.from(context, 'utf8')) };
}

/** keyVersionField is --key-version as the API takes it, or left out. */
export function keyVersionField(version: number | undefined): {
  key_version?: number;
} {
  return version === undefined ? {} : { key_version: version };
}

/** hashAlgorithmField is --hash-algorithm as the API takes it. */
export function hashAlgorithmField(hash: string | undefined): {
  hash_algorithm?: string;
} {
  return hash === undefined ? {} : { hash_algorithm: hash };
}
