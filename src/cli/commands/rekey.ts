// `metacrypt rekey`: changes the seal password of a running, unsealed
// vault, with an admin's token; the data and its keys are untouched.
import { MetacryptError } from '../../errors/index.js';
import { ApiCommand } from '../api-command.js';
import { passwordStdinFlag, userFlags } from '../flags.js';
import { PasswordSource } from '../password-source.js';
import { withRetryHint } from '../retry-hint.js';
import { requireUnsealed } from '../server-state.js';

/** RekeyResult is what `rekey --json` prints. */
export interface RekeyResult {
  readonly addr: string;
  /** When the new password took effect, as the server reports it. */
  readonly rekeyed_at: string;
}

/** Rekey changes the seal password. */
export class Rekey extends ApiCommand {
  static override summary = 'Change the seal password (admin).';

  static override description =
    'Asks for the current seal password, then the new one twice, without ' +
    'echo; with --password-stdin it reads two lines, the current password ' +
    'then the new one. The server seals the same master key under the ' +
    'new password, with a fresh salt and the Argon2id settings of its ' +
    'current [seal] configuration, so a rekey with the same password ' +
    'raises the cost of an old vault. The vault must be unsealed and ' +
    "the token an admin's. From then on only the new password unseals " +
    'the vault, but snapshots taken before keep the old one. A wrong ' +
    'current password counts towards the unseal lockout.';

  static override examples = [
    '<%= config.bin %> <%= command.id %> --addr https://localhost:8443 --ca-cert ca.crt',
    'printf \'%s\\n\' "$OLD" "$NEW" | ' +
      '<%= config.bin %> <%= command.id %> --password-stdin --json',
  ];

  static override flags = {
    ...userFlags,
    'password-stdin': passwordStdinFlag,
  };

  async run(): Promise<RekeyResult> {
    const { flags } = await this.parse(Rekey);
    const client = this.userClient(flags);

    // Step 1: a sealed vault cannot be rekeyed; say so before asking.
    await requireUnsealed(client);

    // Step 2: the current password, then the new one.
    const passwords = new PasswordSource(flags['password-stdin']);
    const oldPassword = await passwords.next({
      prompt: 'Current seal password',
    });
    const newPassword = await passwords.next({
      prompt: 'New seal password',
      confirm: true,
    });

    // Step 3: the rekey.
    let body: unknown;
    try {
      ({ body } = await client.call('POST', '/v1/rekey', {
        old_password: oldPassword,
        new_password: newPassword,
      }));
    } catch (err) {
      throw withRetryHint(err);
    }
    const rekeyedAt = rekeyedAtIn(client.addr, body);

    this.log(`${client.addr}: seal password changed at ${rekeyedAt}`);
    this.log('Unseal with the new password from now on.');
    return { addr: client.addr, rekeyed_at: rekeyedAt };
  }
}

function rekeyedAtIn(addr: string, body: unknown): string {
  const value =
    typeof body === 'object' && body !== null
      ? (body as { rekeyed_at?: unknown }).rekeyed_at
      : undefined;
  if (typeof value !== 'string') {
    throw new MetacryptError(
      'cli_reply',
      `${addr} answered /v1/rekey without rekeyed_at`,
    );
  }
  return value;
}
