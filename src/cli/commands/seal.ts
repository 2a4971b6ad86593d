// `metacrypt seal`: seals a running server's vault at once, wiping every
// key from its memory, with an admin's token.
import { MetacryptError } from '../../errors/index.js';
import { ApiCommand } from '../api-command.js';
import { userFlags } from '../flags.js';
import { serverState, stateIn } from '../server-state.js';

/** SealResult is what `seal --json` prints. */
export interface SealResult {
  readonly addr: string;
  readonly state: string;
}

/** Seal seals a server's vault. */
export class Seal extends ApiCommand {
  static override summary = "Seal a server's vault (admin).";

  static override description =
    'Asks the server at --addr to seal the vault: the key worker wipes ' +
    'the master key and every data and engine key from memory, and ' +
    'every request that needs a key answers 503 until someone unseals ' +
    'it again. Use it when a compromise is suspected. Needs an admin ' +
    'token (--token, METACRYPT_TOKEN, or the one `metacrypt login` ' +
    'stored); a user without the admin role is refused with 403 ' +
    '`forbidden`. A vault already sealed is left as it is.';

  static override examples = [
    '<%= config.bin %> <%= command.id %> ' +
      '--addr https://metacrypt.example.com:8443 --ca-cert ca.crt',
    'METACRYPT_TOKEN=$ADMIN_TOKEN <%= config.bin %> <%= command.id %> --json',
  ];

  static override flags = { ...userFlags };

  async run(): Promise<SealResult> {
    const { flags } = await this.parse(Seal);
    const client = this.userClient(flags);

    // Step 1: the seal gate would answer 503 `sealed` to a sealed vault;
    // for the operator that is success, not an error.
    const before = await serverState(client);
    if (before === 'sealed') {
      this.log(`${client.addr}: already sealed`);
      return { addr: client.addr, state: before };
    }
    if (before === 'uninitialized') {
      throw new MetacryptError('not_initialized');
    }

    // Step 2: the seal itself; the server checks the token and the role.
    const { body } = await client.call('POST', '/v1/seal');
    const state = stateIn(client, '/v1/seal', body);

    this.log(`${client.addr}: ${state}`);
    return { addr: client.addr, state };
  }
}
