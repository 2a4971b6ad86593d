// The base of every metacrypt command: a --json flag, and errors printed as
// the one clear line (or JSON object) an operator or a script can act on.
import { Command } from '@oclif/core';

import { ConfigError, MetacryptError } from '../errors/index.js';

/** ErrorJson is what a failed command prints with --json. */
export interface ErrorJson {
  readonly error: string;
  readonly code: string;
  readonly problems?: readonly string[];
}

/**
 * BaseCommand adds --json to every command and prints MetacryptErrors
 * without a stack: the message is written for the person reading it.
 * Anything else is a bug and goes to oclif's default handler.
 */
export abstract class BaseCommand extends Command {
  static override enableJsonFlag = true;

  protected override async catch(
    err: Error & { exitCode?: number },
  ): Promise<unknown> {
    if (!(err instanceof MetacryptError)) return super.catch(err);

    process.exitCode = 1;
    const problems = err instanceof ConfigError ? err.problems : [err.message];
    if (this.jsonEnabled()) {
      const json: ErrorJson = {
        error: err.message,
        code: err.code,
        ...(problems.length > 1 ? { problems } : {}),
      };
      this.logJson(json);
      return undefined;
    }
    for (const line of problems) this.logToStderr(line);
    return undefined;
  }
}
