// `metacrypt transit verify`: checks a signature over text, a file or
// stdin, and answers in its exit code: 0 valid, 2 invalid.
import { Flags } from '@oclif/core';

import { userFlags } from '../../flags.js';
import { readInputBytes, toBase64 } from '../../input-bytes.js';
import { replyBoolean } from '../../reply-fields.js';
import { TransitCommand } from '../../transit-command.js';
import {
  fileInputFlag,
  hashAlgorithmField,
  hashAlgorithmFlag,
  keyArg,
  mountFlag,
  textInputFlag,
} from '../../transit-flags.js';

/** INVALID_EXIT_CODE is the exit code of a signature that does not verify. */
export const INVALID_EXIT_CODE = 2;

/** TransitVerifyResult is what `transit verify --json` prints. */
export interface TransitVerifyResult {
  readonly valid: boolean;
}

/** TransitVerify verifies a signature with a transit key. */
export class TransitVerify extends TransitCommand {
  static override summary = 'Verify a signature made by a transit key.';

  static override description =
    'Checks --signature over the bytes of --input or --file (- reads ' +
    'stdin), given exactly as they were signed. Prints valid or invalid ' +
    'and exits 0 when valid, 2 when invalid (also with --json), and 1 ' +
    'when it could not check: a malformed signature, an unknown key, no ' +
    'permission. A script can branch on the exit code alone.';

  static override examples = [
    "<%= config.bin %> <%= command.id %> releases --input 'release 1.0.0' " +
      '--signature metacrypt:v1:MEUC...',
    '<%= config.bin %> <%= command.id %> releases --file release.tar.gz ' +
      '--signature "$(cat release.tar.gz.sig)" && tar xzf release.tar.gz',
  ];

  static override args = { ...keyArg };

  static override flags = {
    ...userFlags,
    mount: mountFlag,
    input: textInputFlag('input', 'The signed input'),
    file: fileInputFlag('input', 'signed input'),
    signature: Flags.string({
      char: 's',
      summary: 'The signature, as `transit sign` printed it.',
      helpValue: 'SIGNATURE',
      required: true,
    }),
    'hash-algorithm': hashAlgorithmFlag,
  };

  async run(): Promise<TransitVerifyResult> {
    const { args, flags } = await this.parse(TransitVerify);
    const input = await readInputBytes({
      textFlag: 'input',
      text: flags.input,
      file: flags.file,
    });

    const { body, at } = await this.transit({
      flags,
      operation: 'verify',
      key: args.name,
      body: {
        input: toBase64(input),
        signature: flags.signature.trim(),
        ...hashAlgorithmField(flags['hash-algorithm']),
      },
    });
    const valid = replyBoolean(body, 'valid', at);

    this.log(valid ? 'valid' : 'invalid');
    if (!valid) process.exitCode = INVALID_EXIT_CODE;
    return { valid };
  }
}
