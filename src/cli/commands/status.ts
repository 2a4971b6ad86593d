// `metacrypt status`: the seal state of a running server, as text or
// JSON, and as the exit code a script or health check branches on.
import { MetacryptError } from '../../errors/index.js';
import { ApiCommand } from '../api-command.js';
import { serverFlags } from '../flags.js';

/** StatusResult is what `status --json` prints. */
export interface StatusResult {
  readonly addr: string;
  readonly state: string;
}

/** Status prints the server's seal state. */
export class Status extends ApiCommand {
  static override summary = "Show a server's seal state.";

  static override description =
    'Asks the server at --addr for its state: uninitialized, sealed, ' +
    'initializing, unsealing or unsealed. Exits 0 when the vault is ' +
    'unsealed, 2 when it is in any other state, and 1 when the server ' +
    'cannot be asked (unreachable, or a certificate not trusted).';

  static override examples = [
    '<%= config.bin %> <%= command.id %> ' +
      '--addr https://metacrypt.example.com:8443 --ca-cert /path/to/ca.crt',
    'METACRYPT_ADDR=https://localhost:8443 <%= config.bin %> <%= command.id %> --json',
  ];

  static override flags = { ...serverFlags };

  async run(): Promise<StatusResult> {
    const { flags } = await this.parse(Status);
    const client = this.anonymousClient(flags);

    const { body } = await client.call<{ state?: unknown }>(
      'GET',
      '/v1/status',
    );
    if (typeof body.state !== 'string') {
      throw new MetacryptError(
        'cli_reply',
        `${client.addr} answered /v1/status without a state`,
      );
    }

    this.log(`${client.addr}: ${body.state}`);
    process.exitCode = body.state === 'unsealed' ? 0 : 2;
    return { addr: client.addr, state: body.state };
  }
}
