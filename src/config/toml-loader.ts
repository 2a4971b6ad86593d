// A cosmiconfig loader for TOML files, with errors that name the file,
// line and column.
import { parse, TomlError } from 'smol-toml';

import { ConfigError } from '../errors/index.js';

/**
 * loadToml parses a TOML document. A syntax error becomes a ConfigError
 * with code `config_parse` that points at the file, line and column. Only
 * the parser's first line is kept: the rest is an excerpt of the file,
 * which could hold a value nobody meant to print.
 */
export function loadToml(filepath: string, content: string): unknown {
  try {
    return parse(content);
  } catch (err) {
    if (err instanceof TomlError) {
      const reason = err.message
        .split('\n')[0]
        ?.replace(/^Invalid TOML document: /, '');
      throw new ConfigError(
        'config_parse',
        `${filepath}:${err.line}:${err.column}: ${reason ?? 'syntax error'}`,
      );
    }
    throw err;
  }
}
