// The dev identity server as a process (bin/mcias-dev.js): flags, files,
// the listening line on stdout, and a clean stop on SIGTERM or SIGINT.
import { readFileSync } from 'node:fs';

import { errnoReason, MetacryptError } from '../errors/index.js';
import { createLogger } from '../log/index.js';
import { parseCommand, USAGE } from './cli-options.js';
import type { ServeOptions } from './cli-options.js';
import { startDevIdentityServer } from './dev-identity-server.js';
import { runHashPassword } from './hash-password.js';

/** LISTENING_MESSAGE is the `msg` of the line announcing the URL. */
export const LISTENING_MESSAGE = 'dev identity server listening';

/**
 * main runs the command line and resolves with the exit code: 0 after a
 * clean stop, 2 for bad flags or files (one line on stderr). Anything
 * other than a MetacryptError is a bug and is thrown.
 */
export async function main(argv: readonly string[]): Promise<number> {
  try {
    const command = parseCommand(argv);
    if (command.kind === 'help') {
      process.stdout.write(USAGE);
      return 0;
    }
    if (command.kind === 'hash-password') {
      await runHashPassword(process.stdin, process.stdout, process.stderr);
      return 0;
    }
    return await serve(command.options);
  } catch (err) {
    if (!(err instanceof MetacryptError)) throw err;
    process.stderr.write(`${err.message}\n`);
    return 2;
  }
}

async function serve(options: ServeOptions): Promise<number> {
  // Step 1: the files the flags name.
  const tlsCert = readFlagFile('--tls-cert', options.tlsCertFile);
  const tlsKey = readFlagFile('--tls-key', options.tlsKeyFile);

  // Step 2: the server; the signals are watched from the start so a stop
  // that arrives while it starts is not lost.
  const stopped = nextSignal();
  const logger = createLogger({
    level: options.logLevel,
    fields: { component: 'dev-identity' },
  });
  const server = await startDevIdentityServer({
    development: true,
    usersFile: options.usersFile,
    tlsCert,
    tlsKey,
    host: options.host,
    port: options.port,
    ...(options.tokenTtlSeconds === undefined
      ? {}
      : { tokenTtlSeconds: options.tokenTtlSeconds }),
    logger,
  });

  // Step 3: the one line a parent process waits for.
  process.stdout.write(
    `${JSON.stringify({ msg: LISTENING_MESSAGE, url: server.url })}\n`,
  );

  // Step 4: run until told to stop.
  const signal = await stopped;
  logger.info('dev identity server stopping', { signal });
  await server.close();
  return 0;
}

function readFlagFile(flag: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const reason = errnoReason(err) ?? 'unreadable';
    throw new MetacryptError(
      'config_read',
      `dev identity server: ${flag} ${path}: ${reason}`,
    );
  }
}

function nextSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      resolve(signal);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}
