// Reads the dev identity server's command line (node:util parseArgs) into
// what to do, with one clear message for anything wrong.
import { parseArgs } from 'node:util';

import type { LogLevel } from '../config/index.js';
import { MetacryptError } from '../errors/index.js';

/** ServeOptions are the flags of a server run. */
export interface ServeOptions {
  readonly usersFile: string;
  readonly tlsCertFile: string;
  readonly tlsKeyFile: string;
  readonly host: string;
  readonly port: number;
  readonly tokenTtlSeconds: number | undefined;
  readonly logLevel: LogLevel;
}

/** CliCommand is what a command line asks for. */
export type CliCommand =
  | { readonly kind: 'serve'; readonly options: ServeOptions }
  | { readonly kind: 'hash-password' }
  | { readonly kind: 'help' };

/** USAGE is printed for --help. */
export const USAGE = `usage:
  mcias-dev --development --users FILE --tls-cert FILE --tls-key FILE
            [--listen HOST:PORT] [--token-ttl SECONDS] [--log-level LEVEL]
  mcias-dev hash-password < file-holding-the-password

An MCIAS-compatible identity server for development and tests only.
--listen defaults to 127.0.0.1:0 (any free port), --token-ttl to 3600,
--log-level (error, warn, info, debug) to info.
`;

/** REFUSAL is the message for a server run without --development. */
export const REFUSAL =
  'dev identity server: refusing to start without --development; ' +
  'it is for development and tests only';

const LOG_LEVELS: readonly LogLevel[] = ['error', 'warn', 'info', 'debug'];
const LISTEN = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/;

const FLAGS = {
  development: { type: 'boolean' },
  users: { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  listen: { type: 'string', default: '127.0.0.1:0' },
  'token-ttl': { type: 'string' },
  'log-level': { type: 'string', default: 'info' },
  help: { type: 'boolean', short: 'h' },
} as const;

/**
 * parseCommand reads argv (without node and the script). It throws a
 * MetacryptError (`config_invalid`) naming the first bad flag; a server
 * run without --development fails with REFUSAL before any other check.
 */
export function parseCommand(argv: readonly string[]): CliCommand {
  // Step 1: the words, as node:util sees them.
  let parsed: ReturnType<typeof parseFlags>;
  try {
    parsed = parseFlags(argv);
  } catch (err) {
    throw usage(nodeReason(err));
  }
  const { values, positionals } = parsed;
  if (values.help === true) return { kind: 'help' };

  // Step 2: which command.
  const [command, ...rest] = positionals;
  if (command === 'hash-password') {
    if (rest.length > 0) throw usage(`unexpected argument ${rest[0] ?? ''}`);
    return { kind: 'hash-password' };
  }
  if (command !== undefined) throw usage(`unknown command ${command}`);
  if (values.development !== true) {
    throw new MetacryptError('config_invalid', REFUSAL);
  }

  // Step 3: the server's flags.
  const { host, port } = parseListen(values.listen);
  return {
    kind: 'serve',
    options: {
      usersFile: required(values.users, '--users'),
      tlsCertFile: required(values['tls-cert'], '--tls-cert'),
      tlsKeyFile: required(values['tls-key'], '--tls-key'),
      host,
      port,
      tokenTtlSeconds: parseTtl(values['token-ttl']),
      logLevel: parseLevel(values['log-level']),
    },
  };
}

function parseFlags(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    options: FLAGS,
    allowPositionals: true,
    strict: true,
  });
}

function required(value: string | undefined, flag: string): string {
  if (value === undefined || value === '') throw usage(`${flag} is required`);
  return value;
}

function parseListen(value: string): { host: string; port: number } {
  const match = LISTEN.exec(value);
  const port = Number(match?.[3]);
  const host = match?.[1] ?? match?.[2];
  if (host === undefined || !(port >= 0 && port <= 65535)) {
    throw usage('--listen must be HOST:PORT, such as 127.0.0.1:8200');
  }
  return { host, port };
}

function parseTtl(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,9}$/.test(value) || Number(value) < 1) {
    throw usage('--token-ttl must be a whole number of seconds, at least 1');
  }
  return Number(value);
}

function parseLevel(value: string): LogLevel {
  const level = LOG_LEVELS.find((known) => known === value);
  if (level === undefined) {
    throw usage(`--log-level must be one of ${LOG_LEVELS.join(', ')}`);
  }
  return level;
}

// node:util's messages run on with advice about `--`; the first sentence
// says what is wrong.
function nodeReason(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const first = message.split(/\.(?: |$)/)[0] ?? message;
  return first.charAt(0).toLowerCase() + first.slice(1);
}

function usage(detail: string): MetacryptError {
  return new MetacryptError('config_invalid', `dev identity server: ${detail}`);
}
