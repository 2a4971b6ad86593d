// `metacrypt dev`: a throwaway vault for development, initialized and
// unsealed, with its own identity server, running until Ctrl-C.
import { rmSync } from 'node:fs';

import { Flags } from '@oclif/core';

import type { LogLevel } from '../../config/index.js';
import { devBanner } from '../../dev/dev-banner.js';
import {
  DEFAULT_DEV_PORT,
  startDevEnvironment,
} from '../../dev/dev-environment.js';
import type { DevEnvironment } from '../../dev/dev-environment.js';
import { curlCommand, curlExamples } from '../../dev/dev-examples.js';
import { devFactsJson } from '../../dev/dev-facts.js';
import { catchStopSignals } from '../../dev/stop-signals.js';
import { MetacryptError } from '../../errors/index.js';
import { createLogger } from '../../log/index.js';
import { BaseCommand } from '../base-command.js';

const LOG_LEVELS: readonly LogLevel[] = ['error', 'warn', 'info', 'debug'];

/** Dev runs a development server. */
export class Dev extends BaseCommand {
  static override summary =
    'Run a throwaway development server (never in production).';

  static override description =
    'Starts, in one process, a vault listening on 127.0.0.1 and the ' +
    'development identity server standing in for MCIAS, both with a ' +
    'new self-signed certificate. The vault is initialized with a ' +
    'random seal password, left unsealed, and has transit mounted at ' +
    '`transit` with a key `demo`. Two users are made up: `admin` (role ' +
    'admin) and `alice` (role user, allowed to use transit). A banner ' +
    'on stdout prints the address, the data directory, the passwords, ' +
    'an admin token, the exports for the metacrypt command and curl ' +
    'commands to try; with --json, the same facts on one JSON line. ' +
    'Server logs are JSON lines on stderr. Everything lives in a new ' +
    'temporary directory: SIGINT (Ctrl-C) or SIGTERM seals the vault, ' +
    'stops both servers and deletes it.';

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --port 0',
    '<%= config.bin %> <%= command.id %> --json 2>/dev/null',
  ];

  static override flags = {
    // A string, checked in run(): oclif's own integer check fails with
    // a multi-line message outside BaseCommand's one-line errors.
    port: Flags.string({
      char: 'p',
      summary: 'Port on 127.0.0.1; 0 takes any free one.',
      helpValue: 'PORT',
      default: String(DEFAULT_DEV_PORT),
      env: 'METACRYPT_DEV_PORT',
    }),
    'log-level': Flags.option({
      summary: 'Least severe level of the logs written to stderr.',
      options: LOG_LEVELS,
      default: 'info' as const,
      env: 'METACRYPT_LOG_LEVEL',
    })(),
  };

  async run(): Promise<void> {
    // Step 1: signals first, so a Ctrl-C while starting still cleans up.
    const signals = catchStopSignals();
    try {
      const { flags } = await this.parse(Dev);
      const port = parsePort(flags.port);
      const logger = createLogger({
        level: flags['log-level'],
        stream: process.stderr,
        fields: { service: 'metacrypt-dev' },
      });

      // Step 2: everything, or nothing left behind.
      const env = await startDevEnvironment({ port, logger });
      const removeOnExit = removeDirOnExit(env);

      // Step 3: the banner, or its facts as one JSON line.
      const examples = curlExamples(env.facts);
      if (this.jsonEnabled()) {
        // One line, written now: oclif's logJson spreads a value over
        // many lines, and a command that runs until stopped has no
        // return value to print.
        const curl = examples.map((example) => curlCommand(example));
        const json = devFactsJson(env.facts, curl);
        process.stdout.write(`${JSON.stringify(json)}\n`);
      } else {
        process.stdout.write(devBanner(env.facts, examples));
      }

      // Step 4: run until told to stop, then seal and clean up.
      const signal = await signals.first;
      logger.info('stopping', { signal });
      await env.close();
      process.off('exit', removeOnExit);
      logger.info('stopped; data directory deleted', {
        data_dir: env.facts.dataDir,
      });
    } finally {
      signals.release();
    }
  }
}

/** parsePort reads --port: a whole number from 0 to 65535. */
function parsePort(text: string): number {
  const port = Number(text);
  if (!/^\d{1,5}$/.test(text) || port > 65535) {
    throw new MetacryptError(
      'cli_usage',
      `--port must be a whole number from 0 to 65535 (see --help)`,
    );
  }
  return port;
}

// A last resort for an exit that skips close() (an uncaught exception,
// process.exit from elsewhere): the directory holds the seal password's
// work product and the TLS key, and must not outlive the process.
function removeDirOnExit(env: DevEnvironment): () => void {
  const remove = (): void => {
    rmSync(env.facts.dataDir, { recursive: true, force: true });
  };
  process.on('exit', remove);
  return remove;
}
