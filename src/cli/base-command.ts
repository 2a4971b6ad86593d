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
 * A flag or argument oclif cannot parse is reported the same way, as
 * `cli_usage`. Anything else is a bug and goes to oclif's handler.
 *
 * Every error exits 1, usage errors too: `metacrypt status` keeps 2 for
 * a sealed vault, and a typo must not read as one.
 */
export abstract class BaseCommand extends Command {
  static override enableJsonFlag = true;

  protected override async catch(
    err: Error & { exitCode?: number },
  ): Promise<unknown> {
    const known = asKnownError(err);
    if (known === undefined) return super.catch(err);

    process.exitCode = 1;
    const problems =
      known instanceof ConfigError ? known.problems : [known.message];
    if (this.jsonEnabled()) {
      const json: ErrorJson = {
        error: known.message,
        code: known.code,
        ...(problems.length > 1 ? { problems } : {}),
      };
      this.logJson(json);
      return undefined;
    }
    for (const line of problems) this.logToStderr(line);
    return undefined;
  }
}

/** asKnownError returns err as a MetacryptError when it is one we meant. */
function asKnownError(err: Error): MetacryptError | undefined {
  if (err instanceof MetacryptError) return err;
  if ('parse' in err) {
    return new MetacryptError(
      'cli_usage',
      `${usageProblem(err.message)} (see --help)`,
    );
  }
  return undefined;
}

// oclif's parse errors run over several lines: sometimes a header
// (`The following error occurred:`) before the problem, sometimes the
// problem split after a colon (`Missing 1 required arg:` then `file`),
// always a closing `See more help with --help`. One line keeps what says
// what is wrong.
const PARSE_NOISE = [/^The following errors? occurred:$/, /^See more help/];

function usageProblem(message: string): string {
  const lines = message
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !PARSE_NOISE.some((re) => re.test(line)));
  let text = '';
  for (const line of lines) {
    if (text === '') text = line;
    else text += text.endsWith(':') ? ` ${line}` : `; ${line}`;
  }
  return text === '' ? 'bad usage' : text;
}
