// `metacrypt config check`: validates the configuration the server would
// use and shows the settings in effect, defaults and overrides included.
import { stringify } from 'smol-toml';

import { loadConfig } from '../../../config/index.js';
import type { Config } from '../../../config/index.js';
import { BaseCommand } from '../../base-command.js';
import { configFlag } from '../../flags.js';

/** ConfigCheckResult is what `config check --json` prints. */
export interface ConfigCheckResult {
  readonly source: string | null;
  readonly config: Config;
}

/** ConfigCheck validates the configuration and prints it. */
export class ConfigCheck extends BaseCommand {
  static override summary = 'Validate the configuration and show it.';

  static override description =
    'Reads the configuration as the server would: the --config file, or ' +
    'METACRYPT_CONFIG, or ./metacrypt.toml, or ' +
    '/etc/metacrypt/metacrypt.toml, then METACRYPT_<SECTION>_<KEY> ' +
    'overrides, then defaults. Prints every setting in effect, or every ' +
    'problem found, and exits 1 if there is one.';

  static override examples = [
    '<%= config.bin %> <%= command.id %> --config /etc/metacrypt/metacrypt.toml',
    'METACRYPT_LOG_LEVEL=debug <%= config.bin %> <%= command.id %> --json',
  ];

  static override flags = {
    config: configFlag,
  };

  async run(): Promise<ConfigCheckResult> {
    const { flags } = await this.parse(ConfigCheck);
    const { config, source } = await loadConfig({ configPath: flags.config });

    this.log(`# config ok: ${source ?? 'no file, environment only'}`);
    this.log(stringify(config).trimEnd());
    return { source, config };
  }
}
