// Validates configuration read from a file and the environment, and turns
// schema failures into messages that name the key and suggest a fix.
import type { z } from 'zod';

import { ConfigError } from '../errors/index.js';
import type { RawConfig } from './env-overrides.js';
import { CONFIG_KEYS, CONFIG_SCHEMA } from './schema.js';
import type { Config } from './schema.js';
import { nearest } from './suggest.js';

/**
 * parseConfig merges the environment's overrides over the file's values,
 * validates the result and fills in defaults. On failure it throws a
 * ConfigError whose message is the first problem (unknown names first,
 * since a misspelt key usually also shows up as a missing one).
 */
export function parseConfig(fromFile: unknown, fromEnv: RawConfig): Config {
  const merged = merge(fromFile, fromEnv);
  const result = CONFIG_SCHEMA.safeParse(merged);
  if (result.success) return result.data;

  const issues = [...result.error.issues].sort((a, b) => rank(a) - rank(b));
  const problems = issues.map((issue) => describeIssue(issue, merged));
  throw new ConfigError('config_invalid', problems[0] ?? 'invalid', {
    problems: problems.map((p) => `config: ${p}`),
  });
}

function merge(fromFile: unknown, fromEnv: RawConfig): Record<string, unknown> {
  const file = isTable(fromFile) ? fromFile : {};
  const merged: Record<string, unknown> = { ...file };
  for (const section of CONFIG_KEYS.keys()) {
    const value = file[section] ?? {};
    merged[section] = isTable(value)
      ? { ...value, ...fromEnv[section] }
      : value;
  }
  return merged;
}

function rank(issue: z.core.$ZodIssue): number {
  return issue.code === 'unrecognized_keys' ? 0 : 1;
}

function describeIssue(
  issue: z.core.$ZodIssue,
  merged: Record<string, unknown>,
): string {
  const path = issue.path.map(String).join('.');

  if (issue.code === 'unrecognized_keys') {
    return issue.keys
      .map((key) => unknownName(path, key, isTable(merged[key])))
      .join(', ');
  }
  if (issue.code === 'invalid_type') {
    const value = valueAt(merged, issue.path);
    if (value === undefined) return `${path} is required`;
    if (issue.expected === 'object') return `${path} must be a table`;
    if (issue.expected === 'array') return `${path} must be a list`;
    if (issue.expected === 'number' || issue.expected === 'int') {
      return `${path} must be a whole number`;
    }
    return `${path} must be a ${issue.expected}, got ${typeName(value)}`;
  }
  return `${path} ${issue.message}`;
}

function unknownName(section: string, key: string, isSection: boolean): string {
  const sections = CONFIG_KEYS;
  if (section === '' && !isSection) {
    const owner = [...sections].find(([, keys]) => keys.has(key))?.[0];
    return (
      `unknown key ${key} at the top level` +
      (owner ? ` (did you mean ${owner}.${key} under [${owner}]?)` : '')
    );
  }
  if (section === '') {
    const hint = nearest(key, sections.keys());
    return (
      `unknown section [${key}]` + (hint ? ` (did you mean [${hint}]?)` : '')
    );
  }
  const known = [...(sections.get(section)?.keys() ?? [])];
  const hint = nearest(key, known);
  return (
    `unknown key ${section}.${key}` +
    (hint ? ` (did you mean ${section}.${hint}?)` : '')
  );
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let value = root;
  for (const segment of path) {
    if (!isTable(value)) return undefined;
    value = value[String(segment)];
  }
  return value;
}

function typeName(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (isTable(value)) return 'a table';
  return typeof value === 'object' ? 'a date' : `a ${typeof value}`;
}

function isTable(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof Date)
  );
}
