// `metacrypt transit sign`: signs text, a file or stdin with a transit
// signing key and prints the signature.
import { userFlags } from '../../flags.js';
import { readInputBytes, toBase64 } from '../../input-bytes.js';
import { replyNumber, replyString } from '../../reply-fields.js';
import { TransitCommand } from '../../transit-command.js';
import {
  fileInputFlag,
  hashAlgorithmField,
  hashAlgorithmFlag,
  keyArg,
  keyVersionField,
  keyVersionFlag,
  mountFlag,
  textInputFlag,
} from '../../transit-flags.js';

/** TransitSignResult is what `transit sign --json` prints. */
export interface TransitSignResult {
  readonly signature: string;
  readonly key_version: number;
}

/** TransitSign signs with a transit key. */
export class TransitSign extends TransitCommand {
  static override summary = 'Sign data with a transit key.';

  static override description =
    'Signs the bytes of --input (as UTF-8) or of --file exactly (- reads ' +
    'stdin), and prints the signature, metacrypt:v<version>:<base64>, on ' +
    'one line. Check it with `transit verify`, giving the same input.';

  static override examples = [
    "<%= config.bin %> <%= command.id %> releases --input 'release 1.0.0'",
    '<%= config.bin %> <%= command.id %> releases --file release.tar.gz ' +
      '> release.tar.gz.sig',
    'cat manifest.json | <%= config.bin %> <%= command.id %> p256-key ' +
      '--file - --hash-algorithm sha2-512 --json',
  ];

  static override args = { ...keyArg };

  static override flags = {
    ...userFlags,
    mount: mountFlag,
    input: textInputFlag('input', 'The input'),
    file: fileInputFlag('input', 'input'),
    'hash-algorithm': hashAlgorithmFlag,
    'key-version': keyVersionFlag,
  };

  async run(): Promise<TransitSignResult> {
    const { args, flags } = await this.parse(TransitSign);
    const input = await readInputBytes({
      textFlag: 'input',
      text: flags.input,
      file: flags.file,
    });

    const { body, at } = await this.transit({
      flags,
      operation: 'sign',
      key: args.name,
      body: {
        input: toBase64(input),
        ...hashAlgorithmField(flags['hash-algorithm']),
        ...keyVersionField(flags['key-version']),
      },
    });
    const result: TransitSignResult = {
      signature: replyString(body, 'signature', at),
      key_version: replyNumber(body, 'key_version', at),
    };

    this.log(result.signature);
    return result;
  }
}
