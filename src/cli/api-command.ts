// The base of every command that calls a running server: the client it
// calls with, built from --addr, --ca-cert and --token (or their
// environment variables, or what `metacrypt login` stored).
import { MetacryptError } from '../errors/index.js';
import { ApiClient, normalizeAddr } from './api-client.js';
import { BaseCommand } from './base-command.js';
import { DEFAULT_ADDR } from './flags.js';
import { readToken } from './token-file.js';
import type { StoredToken } from './token-file.js';

/** ServerFlagValues are the parsed values of serverFlags and userFlags. */
export interface ServerFlagValues {
  readonly addr?: string | undefined;
  readonly 'ca-cert'?: string | undefined;
  readonly token?: string | undefined;
}

/** Target is the server a command calls, and the login stored for it. */
interface Target {
  readonly addr: string;
  readonly caCert: string | undefined;
  /** The stored login, when it was made through this same server. */
  readonly stored: StoredToken | undefined;
}

/**
 * ApiCommand builds the ApiClient its subclass calls the server with.
 *
 * Without --addr (or METACRYPT_ADDR) a command calls the server the
 * stored login was made through, with the CA file that login used, so
 * `metacrypt login --addr X --ca-cert C` is typed once. The stored token
 * is only ever sent to the server it came from: a command aimed at
 * another one must log in there or be given --token.
 */
export abstract class ApiCommand extends BaseCommand {
  /** anonymousClient calls without a token (status, init, unseal, login). */
  protected anonymousClient(flags: ServerFlagValues): ApiClient {
    const { addr, caCert } = this.#target(flags);
    return new ApiClient({ addr, caCert });
  }

  /**
   * userClient calls with the caller's token: --token, METACRYPT_TOKEN, or
   * the stored one, in that order. It refuses when there is none.
   */
  protected userClient(flags: ServerFlagValues): ApiClient {
    const { addr, caCert, stored } = this.#target(flags);
    const token = flags.token ?? stored?.token;
    if (token === undefined || token === '') {
      throw new MetacryptError('cli_usage', this.#notLoggedIn(addr));
    }
    return new ApiClient({ addr, caCert, token });
  }

  #target(flags: ServerFlagValues): Target {
    const saved = readToken(this.config.configDir);
    const savedAddr = saved === undefined ? undefined : tryAddr(saved.addr);
    const addr = normalizeAddr(flags.addr ?? savedAddr ?? DEFAULT_ADDR);
    const stored = savedAddr === addr ? saved : undefined;
    return { addr, caCert: flags['ca-cert'] ?? stored?.ca_cert, stored };
  }

  #notLoggedIn(addr: string): string {
    const saved = readToken(this.config.configDir);
    if (saved !== undefined) {
      return (
        `not logged in to ${addr}: the stored login is for ${saved.addr}; ` +
        'run metacrypt login --addr, or pass --token'
      );
    }
    return 'not logged in: run metacrypt login, or set METACRYPT_TOKEN';
  }
}

/** tryAddr normalizes a stored address, or drops one that is not valid. */
function tryAddr(addr: string): string | undefined {
  try {
    return normalizeAddr(addr);
  } catch {
    return undefined;
  }
}
