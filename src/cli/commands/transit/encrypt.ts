// `metacrypt transit encrypt`: encrypts text, a file or stdin with a
// transit key and prints the ciphertext.
import { userFlags } from '../../flags.js';
import { readInputBytes, toBase64 } from '../../input-bytes.js';
import { replyNumber, replyString } from '../../reply-fields.js';
import { TransitCommand } from '../../transit-command.js';
import {
  contextField,
  contextFlag,
  fileInputFlag,
  keyArg,
  keyVersionField,
  keyVersionFlag,
  mountFlag,
  textInputFlag,
} from '../../transit-flags.js';

/** TransitEncryptResult is what `transit encrypt --json` prints. */
export interface TransitEncryptResult {
  readonly ciphertext: string;
  readonly key_version: number;
}

/** TransitEncrypt encrypts with a transit key. */
export class TransitEncrypt extends TransitCommand {
  static override summary = 'Encrypt data with a transit key.';

  static override description =
    'Encrypts the bytes of --plaintext (as UTF-8) or of --file exactly ' +
    '(binary files too; - reads stdin), and prints the ciphertext, ' +
    'metacrypt:v<version>:<base64>, on one line. The command does the ' +
    'base64 encoding the API needs. A --context must be given again to ' +
    'decrypt.';

  static override examples = [
    "<%= config.bin %> <%= command.id %> orders --plaintext 'hello world'",
    '<%= config.bin %> <%= command.id %> orders --file invoice.pdf ' +
      '--context tenant-42 > invoice.pdf.enc',
    'tar c docs | <%= config.bin %> <%= command.id %> backups --file - --json',
  ];

  static override args = { ...keyArg };

  static override flags = {
    ...userFlags,
    mount: mountFlag,
    plaintext: textInputFlag('plaintext', 'The plaintext'),
    file: fileInputFlag('plaintext', 'plaintext'),
    context: contextFlag,
    'key-version': keyVersionFlag,
  };

  async run(): Promise<TransitEncryptResult> {
    const { args, flags } = await this.parse(TransitEncrypt);
    const plaintext = await readInputBytes({
      textFlag: 'plaintext',
      text: flags.plaintext,
      file: flags.file,
    });

    const { body, at } = await this.transit({
      flags,
      operation: 'encrypt',
      key: args.name,
      body: {
        plaintext: toBase64(plaintext),
        ...contextField(flags.context),
        ...keyVersionField(flags['key-version']),
      },
    });
    const result: TransitEncryptResult = {
      ciphertext: replyString(body, 'ciphertext', at),
      key_version: replyNumber(body, 'key_version', at),
    };

    this.log(result.ciphertext);
    return result;
  }
}
