// Reads METACRYPT_<SECTION>_<KEY> environment variables into a partial
// configuration, turning their text into each key's type.
import { ConfigError } from '../errors/index.js';
import { CONFIG_KEYS } from './schema.js';
import type { ValueKind } from './schema.js';
import { nearest } from './suggest.js';

const PREFIX = 'METACRYPT_';

/** RawConfig is configuration as read, before validation. */
export type RawConfig = Record<string, Record<string, unknown>>;

/**
 * envOverrides collects every METACRYPT_<SECTION>_<KEY> variable whose
 * section is known. Variables of other shapes (METACRYPT_CONFIG, and the
 * CLI's METACRYPT_ADDR or METACRYPT_TOKEN) are not configuration keys and
 * are left alone; a variable naming a known section but an unknown key is
 * an error, since it is almost always a typo. Empty values count as unset.
 */
export function envOverrides(env: NodeJS.ProcessEnv): RawConfig {
  const sections = CONFIG_KEYS;
  const overrides: RawConfig = {};

  for (const [name, text] of Object.entries(env)) {
    if (!name.startsWith(PREFIX) || text === undefined || text === '') {
      continue;
    }
    const rest = name.slice(PREFIX.length).toLowerCase();
    const section = [...sections.keys()].find((s) => rest.startsWith(`${s}_`));
    if (section === undefined) continue;

    const keys = sections.get(section) ?? new Map<string, ValueKind>();
    const key = rest.slice(section.length + 1);
    const kind = keys.get(key);
    if (kind === undefined) {
      const hint = nearest(key, keys.keys());
      throw new ConfigError(
        'config_invalid',
        `unknown key ${section}.${key} in ${name}` +
          (hint ? ` (did you mean ${PREFIX}${envName(section, hint)}?)` : ''),
      );
    }
    overrides[section] ??= {};
    overrides[section][key] = coerceEnvValue(name, text, kind);
  }
  return overrides;
}

/**
 * coerceEnvValue turns an environment variable's text into a value of the
 * given kind. Lists are comma-separated ("a,b") or a JSON array.
 */
export function coerceEnvValue(
  name: string,
  text: string,
  kind: ValueKind,
): unknown {
  switch (kind) {
    case 'text':
      return text;
    case 'number':
      if (!/^-?\d+$/.test(text.trim())) {
        throw new ConfigError(
          'config_invalid',
          `${name} must be a whole number, got "${text}"`,
        );
      }
      return Number(text.trim());
    case 'boolean':
      return parseBoolean(name, text);
    case 'list':
      return parseList(name, text);
  }
}

function parseBoolean(name: string, text: string): boolean {
  const value = text.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(value)) return true;
  if (['false', '0', 'no', 'off'].includes(value)) return false;
  throw new ConfigError(
    'config_invalid',
    `${name} must be true or false, got "${text}"`,
  );
}

function parseList(name: string, text: string): string[] {
  const trimmed = text.trim();
  if (!trimmed.startsWith('[')) {
    return trimmed
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    parsed = undefined;
  }
  if (!Array.isArray(parsed) || !parsed.every((i) => typeof i === 'string')) {
    throw new ConfigError(
      'config_invalid',
      `${name} must be a comma-separated list or a JSON array of strings`,
    );
  }
  return parsed;
}

function envName(section: string, key: string): string {
  return `${section}_${key}`.toUpperCase();
}
