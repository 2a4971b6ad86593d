// `metacrypt transit hmac`: the HMAC of text, a file or stdin under a
// transit HMAC key.
import { userFlags } from '../../flags.js';
import { readInputBytes, toBase64 } from '../../input-bytes.js';
import { replyNumber, replyString } from '../../reply-fields.js';
import { TransitCommand } from '../../transit-command.js';
import {
  fileInputFlag,
  keyArg,
  keyVersionField,
  keyVersionFlag,
  mountFlag,
  textInputFlag,
} from '../../transit-flags.js';

/** TransitHmacResult is what `transit hmac --json` prints. */
export interface TransitHmacResult {
  readonly hmac: string;
  readonly key_version: number;
}

/** TransitHmac computes an HMAC with a transit key. */
export class TransitHmac extends TransitCommand {
  static override summary = 'Compute an HMAC with a transit key.';

  static override description =
    'Computes the HMAC of the bytes of --input (as UTF-8) or of --file ' +
    'exactly (- reads stdin) with an hmac-sha256 or hmac-sha512 key, and ' +
    'prints it, metacrypt:v<version>:<base64>, on one line.';

  static override examples = [
    `<%= config.bin %> <%= command.id %> webhooks --input '{"event":"paid"}'`,
    'curl -s https://example.com/payload | ' +
      '<%= config.bin %> <%= command.id %> webhooks --file - --json',
  ];

  static override args = { ...keyArg };

  static override flags = {
    ...userFlags,
    mount: mountFlag,
    input: textInputFlag('input', 'The input'),
    file: fileInputFlag('input', 'input'),
    'key-version': keyVersionFlag,
  };

  async run(): Promise<TransitHmacResult> {
    const { args, flags } = await this.parse(TransitHmac);
    const input = await readInputBytes({
      textFlag: 'input',
      text: flags.input,
      file: flags.file,
    });

    const { body, at } = await this.transit({
      flags,
      operation: 'hmac',
      key: args.name,
      body: {
        input: toBase64(input),
        ...keyVersionField(flags['key-version']),
      },
    });
    const result: TransitHmacResult = {
      hmac: replyString(body, 'hmac', at),
      key_version: replyNumber(body, 'key_version', at),
    };

    this.log(result.hmac);
    return result;
  }
}
