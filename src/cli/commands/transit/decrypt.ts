// `metacrypt transit decrypt`: opens a ciphertext with a transit key and
// writes the plaintext's bytes to stdout exactly as they were encrypted.
import { userFlags } from '../../flags.js';
import { fromBase64, readInputValue } from '../../input-bytes.js';
import { replyString } from '../../reply-fields.js';
import { TransitCommand } from '../../transit-command.js';
import {
  contextField,
  contextFlag,
  fileInputFlag,
  keyArg,
  mountFlag,
  textInputFlag,
} from '../../transit-flags.js';

/** TransitDecryptResult is what `transit decrypt --json` prints. */
export interface TransitDecryptResult {
  /** The plaintext in base64, since JSON cannot carry raw bytes. */
  readonly plaintext: string;
}

/** TransitDecrypt decrypts with a transit key. */
export class TransitDecrypt extends TransitCommand {
  static override summary = 'Decrypt a ciphertext with a transit key.';

  static override description =
    'Decrypts the ciphertext of --ciphertext or --file (- reads stdin; ' +
    'white space around it is ignored) and writes the plaintext bytes to ' +
    'stdout exactly, with nothing added, so a binary file comes back ' +
    'byte for byte. Only when stdout is a terminal, and the plaintext ' +
    'does not end in a newline, is one added, for the prompt. With ' +
    '--json, prints {plaintext} in base64 instead. The --context must be ' +
    'the one the value was encrypted with.';

  static override examples = [
    '<%= config.bin %> <%= command.id %> orders --ciphertext metacrypt:v1:AbCd...',
    '<%= config.bin %> <%= command.id %> orders --file invoice.pdf.enc ' +
      '--context tenant-42 > invoice.pdf',
    '<%= config.bin %> <%= command.id %> orders --file - --json < value.txt',
  ];

  static override args = { ...keyArg };

  static override flags = {
    ...userFlags,
    mount: mountFlag,
    ciphertext: textInputFlag('ciphertext', 'The ciphertext'),
    file: fileInputFlag('ciphertext', 'ciphertext'),
    context: contextFlag,
  };

  async run(): Promise<TransitDecryptResult> {
    const { args, flags } = await this.parse(TransitDecrypt);
    const ciphertext = await readInputValue({
      textFlag: 'ciphertext',
      text: flags.ciphertext,
      file: flags.file,
    });

    const { body, at } = await this.transit({
      flags,
      operation: 'decrypt',
      key: args.name,
      body: { ciphertext, ...contextField(flags.context) },
    });
    const plaintext = replyString(body, 'plaintext', at);
    const bytes = fromBase64(plaintext, `${at.route}'s plaintext`);

    // --json prints the result and nothing else; oclif silences this.log
    // under --json, but a direct write must check for itself.
    if (!this.jsonEnabled()) await writeExactly(bytes);
    return { plaintext };
  }
}

/**
 * writeExactly writes the bytes to stdout. A terminal gets a newline
 * after a plaintext without one, so the prompt does not run on; a pipe or
 * file gets the bytes alone.
 */
async function writeExactly(bytes: Buffer): Promise<void> {
  const tail =
    process.stdout.isTTY && bytes.at(-1) !== 0x0a ? Buffer.from('\n') : null;
  const out = tail === null ? bytes : Buffer.concat([bytes, tail]);
  await new Promise<void>((resolve, reject) => {
    process.stdout.write(out, (err) => {
      if (err) reject(err);
      else resolve();
    });
  });
}
