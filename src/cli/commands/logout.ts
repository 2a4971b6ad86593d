// `metacrypt logout`: ends the token at the server and removes the copy
// `metacrypt login` stored.
import { MetacryptError } from '../../errors/index.js';
import { ApiCommand } from '../api-command.js';
import { userFlags } from '../flags.js';
import { readToken, removeToken, tokenFilePath } from '../token-file.js';

/** LogoutResult is what `logout --json` prints. */
export interface LogoutResult {
  /** False when the server said the token was no longer valid. */
  readonly was_valid: boolean;
  /** The token file removed, or null when none was (or it was another). */
  readonly token_file_removed: string | null;
}

/** Logout ends the caller's token. */
export class Logout extends ApiCommand {
  static override summary = 'End the token and remove the stored copy.';

  static override description =
    'Asks the server to end the token (--token, METACRYPT_TOKEN, or the ' +
    'stored one), then removes the token file if it holds that token. A ' +
    'token the server already refuses (expired, or revoked) is not an ' +
    'error: the file is removed all the same and the command exits 0. If ' +
    'the server cannot be reached, the file is kept and it exits 1.';

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    'METACRYPT_TOKEN=$TOKEN <%= config.bin %> <%= command.id %> --json',
  ];

  static override flags = { ...userFlags };

  async run(): Promise<LogoutResult> {
    const { flags } = await this.parse(Logout);
    const client = this.userClient(flags);
    const configDir = this.config.configDir;

    // Step 1: end the token; one already refused is as good as ended.
    let wasValid = true;
    try {
      await client.call('POST', '/v1/auth/logout');
    } catch (err) {
      if (!(err instanceof MetacryptError && err.code === 'unauthenticated')) {
        throw err;
      }
      wasValid = false;
    }

    // Step 2: the stored copy goes only if it is the token just ended; a
    // --token for another session must not log this one out.
    const stored = readToken(configDir);
    const sameToken =
      stored !== undefined &&
      (flags.token === undefined || flags.token === stored.token);
    const removed = sameToken && removeToken(configDir);
    const path = removed ? tokenFilePath(configDir) : null;

    // Step 3: say what happened.
    this.log(
      wasValid
        ? 'Logged out.'
        : 'The token was already invalid (expired or revoked).',
    );
    if (path !== null) this.log(`Removed ${path}.`);
    return { was_valid: wasValid, token_file_removed: path };
  }
}
