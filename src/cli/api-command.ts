// The base of every command that calls a running server: the client it
// calls with, built from --addr, --ca-cert and --token (or their
// environment variables, or the token `metacrypt login` stored).
import { MetacryptError } from '../errors/index.js';
import { ApiClient } from './api-client.js';
import { BaseCommand } from './base-command.js';
import { readToken } from './token-file.js';

/** ServerFlagValues are the parsed values of serverFlags and userFlags. */
export interface ServerFlagValues {
  readonly addr?: string | undefined;
  readonly 'ca-cert'?: string | undefined;
  readonly token?: string | undefined;
}

/** ApiCommand builds the ApiClient its subclass calls the server with. */
export abstract class ApiCommand extends BaseCommand {
  /** anonymousClient calls without a token (status, init, unseal, login). */
  protected anonymousClient(flags: ServerFlagValues): ApiClient {
    return new ApiClient({ addr: flags.addr, caCert: flags['ca-cert'] });
  }

  /**
   * userClient calls with the caller's token: --token, METACRYPT_TOKEN, or
   * the stored one, in that order. It refuses when there is none.
   */
  protected userClient(flags: ServerFlagValues): ApiClient {
    const token = flags.token ?? readToken(this.config.configDir)?.token;
    if (token === undefined || token === '') {
      throw new MetacryptError(
        'cli_usage',
        'not logged in: run metacrypt login, or set METACRYPT_TOKEN',
      );
    }
    return new ApiClient({
      addr: flags.addr,
      caCert: flags['ca-cert'],
      token,
    });
  }
}
