// The config module's public surface.
export { coerceEnvValue, envOverrides } from './env-overrides.js';
export type { RawConfig } from './env-overrides.js';
export { loadConfig, SYSTEM_CONFIG_PATH } from './load-config.js';
export type { LoadConfigOptions, LoadedConfig } from './load-config.js';
export { parseConfig } from './parse-config.js';
export { CONFIG_SCHEMA } from './schema.js';
export type { Config, LogLevel } from './schema.js';
