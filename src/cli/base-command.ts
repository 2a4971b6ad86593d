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
    return new MetacryptError('cli_usage', `${parseProblem(err)} (see --help)`);
  }
  // A flag's own parser failing (an integer flag given `abc`): oclif
  // rewrites the message to `Parsing --name \n\t<reason>...` but adds no
  // `parse` field, so it is recognized by that shape.
  const flag = FLAG_PARSING.exec(err.message);
  if (flag?.[1] !== undefined) {
    const reason = flag[2]?.trim() ?? 'invalid value';
    return new MetacryptError(
      'cli_usage',
      `${flag[1]}: ${reason} (see --help)`,
    );
  }
  return undefined;
}

// How oclif words a flag whose own parser threw.
const FLAG_PARSING = /^Parsing (--[\w-]+) ?\n\t?([^\n]*)/;

// oclif's advice lines, which the `(see --help)` suffix replaces.
const ADVICE = /^(See more help with --help|Note: |Alternatively, )/;

// A first line that says nothing but that reasons follow.
const HEADING_ONLY = /^The following errors? occurred:$/;

// The colours oclif adds to a message, which a log line must not carry.
const ANSI_SGR = new RegExp(String.raw`\u001b\[[0-9;]*m`, 'g');

/**
 * parseProblem makes oclif's parse message one line. Its first line is
 * often only a heading (`The following error occurred:`, `Missing 1
 * required arg:`) with the reasons on the lines below, so those are kept
 * and joined, an argument list keeps the names (not their descriptions,
 * set off by two spaces), and the advice is dropped.
 */
function parseProblem(err: Error): string {
  const lines = err.message
    .replace(ANSI_SGR, '')
    .split('\n')
    .filter((line) => !ADVICE.test(line.trim()));
  const [heading = err.message, ...rest] = lines.map((line) => line.trim());
  const details = rest
    .map((line) => line.split(/\s{2,}/)[0] ?? '')
    .filter((line) => line !== '');
  if (details.length === 0) return heading;
  if (HEADING_ONLY.test(heading)) return details.join('; ');
  return `${heading} ${details.join(', ')}`;
}
