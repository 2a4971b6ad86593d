// `metacrypt init`: sets up a new vault with a seal password, either
// through a running server (--addr) or directly in the database file.
import { resolve } from 'node:path';

import type { Interfaces } from '@oclif/core';

import { loadConfig } from '../../config/index.js';
import { MetacryptError } from '../../errors/index.js';
import { ApiCommand } from '../api-command.js';
import {
  addrFlag,
  caCertFlag,
  configFlag,
  passwordStdinFlag,
} from '../flags.js';
import { withOfflineVault } from '../offline-vault.js';
import { PasswordSource } from '../password-source.js';
import { serverState, stateIn } from '../server-state.js';

/** InitResult is what `init --json` prints. */
export interface InitResult {
  readonly initialized: true;
  /** `unsealed` through a server; `sealed` after a direct init. */
  readonly state: string;
  /** The server initialized, with --addr. */
  readonly addr?: string;
  /** The database file initialized, without --addr. */
  readonly database?: string;
}

// The flags and arguments as typed, without environment or defaults.
type TypedTokens = Interfaces.ParserOutput['raw'];

// What the operator is asked; twice, since a mistyped seal password
// locks the vault for good.
const ASK = { prompt: 'Seal password', confirm: true } as const;

/** Init initializes a vault. */
export class Init extends ApiCommand {
  static override summary = 'Initialize a new vault with a seal password.';

  static override description =
    'Asks for the seal password twice, without echo (or reads one line ' +
    'with --password-stdin), makes the master key and seals it under the ' +
    'password. With --addr (or METACRYPT_ADDR) it asks the running ' +
    'server to do it, which leaves the vault unsealed. Otherwise it ' +
    'initializes the database named by database.path in the ' +
    'configuration directly, and leaves it sealed: start the server and ' +
    'unseal it. --config on the command line means the database even ' +
    'when METACRYPT_ADDR is set; --addr and --config together are ' +
    'refused. A vault can be initialized only once.';

  static override examples = [
    '<%= config.bin %> <%= command.id %> --config /etc/metacrypt/metacrypt.toml',
    '<%= config.bin %> <%= command.id %> --addr https://localhost:8443 --ca-cert ca.crt',
    'cat password.txt | <%= config.bin %> <%= command.id %> --password-stdin --json',
  ];

  static override flags = {
    config: configFlag,
    addr: addrFlag,
    'ca-cert': caCertFlag,
    'password-stdin': passwordStdinFlag,
  };

  async run(): Promise<InitResult> {
    const { flags, raw } = await this.parse(Init);
    const passwords = new PasswordSource(flags['password-stdin']);

    if (throughServer(flags.addr, raw)) {
      return this.#initServer(flags, passwords);
    }
    return this.#initDatabase(flags.config, passwords);
  }

  async #initServer(
    flags: { addr?: string | undefined; 'ca-cert'?: string | undefined },
    passwords: PasswordSource,
  ): Promise<InitResult> {
    const client = this.anonymousClient(flags);

    // Step 1: refuse an initialized vault before asking for a password.
    if ((await serverState(client)) !== 'uninitialized') {
      throw new MetacryptError('already_initialized');
    }

    // Step 2: the password, then the server's init. The server checks
    // the state again, so a race with another init still answers 409.
    const password = await passwords.next(ASK);
    const { body } = await client.call('POST', '/v1/init', { password });
    const state = stateIn(client, '/v1/init', body);

    this.log(`Initialized the vault at ${client.addr}; it is ${state}.`);
    return { initialized: true, state, addr: client.addr };
  }

  async #initDatabase(
    configPath: string | undefined,
    passwords: PasswordSource,
  ): Promise<InitResult> {
    const { config } = await loadConfig({ configPath });
    const database = resolve(config.database.path);

    // The key worker opens (creating it if need be) and migrates the
    // database, as the server would; closing it seals the vault again.
    await withOfflineVault(config, async (vault) => {
      // Step 1: refuse an initialized vault before asking for a password.
      if ((await vault.status()).state !== 'uninitialized') {
        throw new MetacryptError('already_initialized');
      }

      // Step 2: the password, then init. A server running on the same
      // file meanwhile is caught by the seal_config row's primary key.
      await vault.init(await passwords.next(ASK));
    });

    this.log(`Initialized the vault in ${database}; it is sealed.`);
    this.log('Start the server and unseal it with the seal password.');
    return { initialized: true, state: 'sealed', database };
  }
}

/**
 * throughServer decides between the two ways to init. A flag typed on
 * the command line outweighs an environment variable, so the runbook's
 * `init --config FILE` initializes that file's database even in a shell
 * where METACRYPT_ADDR is set; both typed together are ambiguous.
 */
function throughServer(addr: string | undefined, raw: TypedTokens): boolean {
  const typed = new Set(
    raw.flatMap((token) => (token.type === 'flag' ? [token.flag] : [])),
  );
  if (typed.has('addr') && typed.has('config')) {
    throw new MetacryptError(
      'cli_usage',
      'give --addr to initialize through a running server, or --config ' +
        'to initialize its database directly, not both',
    );
  }
  if (typed.has('config')) return false;
  return addr !== undefined;
}
