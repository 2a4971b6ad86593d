// Where a command gets a password: a prompt on the terminal that echoes
// nothing, or with --password-stdin one line of stdin per password asked.
import { MetacryptError } from '../errors/index.js';

// Keys a raw-mode terminal sends that the prompt acts on.
const ENTER = new Set(['\r', '\n']);
const CTRL_C = '\u0003';
const CTRL_D = '\u0004';
const ERASE = new Set(['\u007f', '\b']);

/** PasswordAsk says what to ask for. */
export interface PasswordAsk {
  /** The prompt, such as `Seal password`, without the colon. */
  readonly prompt: string;
  /** Ask twice on a terminal and refuse two different answers. */
  readonly confirm?: boolean;
}

/**
 * PasswordSource hands out the passwords a command needs, in order. With
 * fromStdin each is the next line of stdin (a script pipes them in);
 * otherwise stdin must be a terminal, and each is typed at a prompt on
 * stderr with echo off, so stdout holds only the command's output.
 */
export class PasswordSource {
  readonly #fromStdin: boolean;
  #lines: Promise<string[]> | undefined;

  constructor(fromStdin: boolean) {
    this.#fromStdin = fromStdin;
  }

  /** next returns the next password; never empty. */
  async next(ask: PasswordAsk): Promise<string> {
    if (this.#fromStdin) return this.#nextLine(ask.prompt);

    if (!process.stdin.isTTY) {
      throw new MetacryptError(
        'cli_usage',
        'stdin is not a terminal: pass --password-stdin to read the ' +
          'password from it',
      );
    }
    const first = await promptHidden(`${ask.prompt}: `);
    if (ask.confirm === true) {
      const again = await promptHidden(`Repeat ${lowerFirst(ask.prompt)}: `);
      if (again !== first) {
        throw new MetacryptError('cli_usage', 'passwords do not match');
      }
    }
    return nonEmpty(first, ask.prompt);
  }

  async #nextLine(what: string): Promise<string> {
    this.#lines ??= readStdinLines();
    const line = (await this.#lines).shift();
    if (line === undefined) {
      throw new MetacryptError(
        'cli_usage',
        `--password-stdin: stdin ended before the ${lowerFirst(what)}`,
      );
    }
    return nonEmpty(line, what);
  }
}

function nonEmpty(password: string, what: string): string {
  if (password === '') {
    throw new MetacryptError(
      'cli_usage',
      `${lowerFirst(what)} must not be empty`,
    );
  }
  return password;
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

/** readStdinLines reads stdin to its end and splits it into lines. */
async function readStdinLines(): Promise<string[]> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  const lines = text.split('\n').map((line) => line.replace(/\r$/, ''));
  // A final newline ends the last line; it does not start an empty one.
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

/**
 * promptHidden reads one line from the terminal in raw mode, so nothing
 * typed is echoed. Backspace erases, Ctrl-C and Ctrl-D cancel.
 */
function promptHidden(prompt: string): Promise<string> {
  const stdin = process.stdin;

  return new Promise((resolve, reject) => {
    let typed = '';
    const finish = (error?: MetacryptError): void => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
      if (error === undefined) resolve(typed);
      else reject(error);
    };
    const onData = (chunk: string): void => {
      for (const char of chunk) {
        if (ENTER.has(char)) {
          finish();
          return;
        }
        if (char === CTRL_C || char === CTRL_D) {
          finish(new MetacryptError('cli_usage', 'cancelled'));
          return;
        }
        if (ERASE.has(char)) typed = typed.slice(0, -1);
        else if (char >= ' ') typed += char;
      }
    };

    // Echo goes off before the prompt shows: whoever types as soon as it
    // appears (a person, a paste, a test) must not race the mode change.
    stdin.setRawMode(true);
    process.stderr.write(prompt);
    stdin.setEncoding('utf8');
    stdin.on('data', onData);
    stdin.resume();
  });
}
