// `metacrypt server`: loads the configuration, opens and migrates the
// database, and serves HTTPS until SIGTERM or SIGINT, sealing before exit.
import { loadConfig } from '../../config/index.js';
import { createLogger } from '../../log/index.js';
import { waitForStopSignal } from '../../server/signals.js';
import { startVaultServer } from '../../server/vault-server.js';
import { BaseCommand } from '../base-command.js';
import { configFlag } from '../flags.js';

/** Server runs the Metacrypt server. */
export class Server extends BaseCommand {
  static override summary = 'Run the Metacrypt server.';

  static override description =
    'Reads the configuration (see `metacrypt config check`), opens and ' +
    'migrates the database, and serves the REST API over HTTPS. The ' +
    'vault starts sealed (or uninitialized on a new database) and must ' +
    'be unsealed after every start. Logs are JSON lines on stdout. ' +
    'SIGTERM or SIGINT stops it: requests under way may finish, then ' +
    'every key is wiped before the process exits.';

  static override examples = [
    '<%= config.bin %> <%= command.id %> --config /etc/metacrypt/metacrypt.toml',
    'METACRYPT_CONFIG=./metacrypt.toml <%= config.bin %> <%= command.id %>',
  ];

  static override flags = {
    config: configFlag,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Server);
    const { config, source } = await loadConfig({ configPath: flags.config });
    const logger = createLogger({
      level: config.log.level,
      fields: { service: 'metacrypt' },
    });
    logger.info('starting', { config: source ?? 'environment only' });

    const server = await startVaultServer({ config, logger });
    const signal = await waitForStopSignal();
    logger.info('stopping', { signal });
    await server.close();
  }
}
