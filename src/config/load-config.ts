// Finds, reads and validates the configuration: the file in the documented
// search order, then METACRYPT_<SECTION>_<KEY> overrides, then defaults.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { cosmiconfig } from 'cosmiconfig';

import { ConfigError, errnoReason, MetacryptError } from '../errors/index.js';
import { envOverrides } from './env-overrides.js';
import { parseConfig } from './parse-config.js';
import type { Config } from './schema.js';
import { loadToml } from './toml-loader.js';

/** SYSTEM_CONFIG_PATH is the last place searched for a config file. */
export const SYSTEM_CONFIG_PATH = '/etc/metacrypt/metacrypt.toml';

/** LoadConfigOptions says where to look; every field has a default. */
export interface LoadConfigOptions {
  /** The --config flag. When set, this file must exist. */
  readonly configPath?: string | undefined;
  /** Environment to read METACRYPT_* from; process.env by default. */
  readonly env?: NodeJS.ProcessEnv;
  /** Directory searched for metacrypt.toml; the working directory by default. */
  readonly cwd?: string;
  /** The system-wide file; SYSTEM_CONFIG_PATH by default. */
  readonly systemPath?: string;
}

/** LoadedConfig is a validated configuration and the file it came from. */
export interface LoadedConfig {
  readonly config: Config;
  /** Absolute path of the file read, or null when none was found. */
  readonly source: string | null;
}

/**
 * loadConfig reads the configuration. The file is the first of: the
 * --config path, METACRYPT_CONFIG, ./metacrypt.toml, the system path. A
 * path given explicitly must exist; the other two are optional, and with
 * no file at all the environment alone must supply the required keys.
 */
export async function loadConfig(
  options: LoadConfigOptions = {},
): Promise<LoadedConfig> {
  const env = options.env ?? process.env;

  // Step 1: pick the file.
  const source = findConfigFile(options, env);

  // Step 2: read it. cosmiconfig's search() is not used: it also honours
  // a .config/ meta file in the working directory that may add places to
  // search, and a vault's config must come only from the documented ones.
  let fromFile: unknown = {};
  if (source !== null) {
    const explorer = cosmiconfig('metacrypt', {
      loaders: { '.toml': loadToml, noExt: loadToml },
      cache: false,
    });
    fromFile =
      (await readWith(() => explorer.load(source), source))?.config ?? {};
  }

  // Step 3: overlay the environment and validate.
  return { config: parseConfig(fromFile, envOverrides(env)), source };
}

function findConfigFile(
  options: LoadConfigOptions,
  env: NodeJS.ProcessEnv,
): string | null {
  const explicit = [
    { path: options.configPath, from: '--config' },
    { path: env.METACRYPT_CONFIG, from: 'METACRYPT_CONFIG' },
  ];
  for (const { path, from } of explicit) {
    if (path === undefined || path === '') continue;
    const absolute = resolve(options.cwd ?? process.cwd(), path);
    if (!existsSync(absolute)) {
      throw new ConfigError(
        'config_not_found',
        `${absolute} (from ${from}) does not exist`,
      );
    }
    return absolute;
  }

  const optional = [
    join(options.cwd ?? process.cwd(), 'metacrypt.toml'),
    options.systemPath ?? SYSTEM_CONFIG_PATH,
  ];
  return optional.find((path) => existsSync(path)) ?? null;
}

async function readWith<T>(read: () => Promise<T>, path: string): Promise<T> {
  try {
    return await read();
  } catch (err) {
    if (err instanceof MetacryptError) throw err;
    const reason = errnoReason(err) ?? 'cannot be read';
    throw new ConfigError('config_read', `${path}: ${reason}`, {
      cause: err,
    });
  }
}
