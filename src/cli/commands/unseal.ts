// `metacrypt unseal`: opens a running server's vault with the seal
// password, typed at a hidden prompt or read from stdin.
import { MetacryptError } from '../../errors/index.js';
import { ApiCommand } from '../api-command.js';
import { passwordStdinFlag, serverFlags } from '../flags.js';
import { PasswordSource } from '../password-source.js';
import { withRetryHint } from '../retry-hint.js';
import { serverState, stateIn } from '../server-state.js';

/** UnsealResult is what `unseal --json` prints. */
export interface UnsealResult {
  readonly addr: string;
  readonly state: string;
}

/** Unseal unseals a server's vault. */
export class Unseal extends ApiCommand {
  static override summary = "Unseal a server's vault with the seal password.";

  static override description =
    'Asks for the seal password without echo (or reads one line with ' +
    '--password-stdin) and sends it to the server at --addr, which ' +
    'opens the master key with it. Needed after every start of the ' +
    'server and after every seal. A vault already unsealed is left as it ' +
    'is and no password is asked for. A wrong password exits 1 with ' +
    '`invalid password`; five wrong ones within a minute lock unsealing ' +
    'for 60 seconds, and the message says how long is left.';

  static override examples = [
    '<%= config.bin %> <%= command.id %> --addr https://localhost:8443 ' +
      '--ca-cert /etc/metacrypt/certs/ca.crt',
    'METACRYPT_ADDR=https://localhost:8443 ' +
      '<%= config.bin %> <%= command.id %> --password-stdin < password.txt',
  ];

  static override flags = {
    ...serverFlags,
    'password-stdin': passwordStdinFlag,
  };

  async run(): Promise<UnsealResult> {
    const { flags } = await this.parse(Unseal);
    const client = this.anonymousClient(flags);

    // Step 1: nothing to do, or nothing that a password could do.
    const before = await serverState(client);
    if (before === 'unsealed') {
      this.log(`${client.addr}: already unsealed`);
      return { addr: client.addr, state: before };
    }
    if (before === 'uninitialized') {
      throw new MetacryptError('not_initialized');
    }

    // Step 2: the password, then the server's unseal.
    const password = await new PasswordSource(flags['password-stdin']).next({
      prompt: 'Seal password',
    });
    let body: unknown;
    try {
      ({ body } = await client.call('POST', '/v1/unseal', { password }));
    } catch (err) {
      throw withRetryHint(err);
    }
    const state = stateIn(client, '/v1/unseal', body);

    this.log(`${client.addr}: ${state}`);
    return { addr: client.addr, state };
  }
}
