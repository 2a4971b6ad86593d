// A prompt for a value that is not secret, such as a username: typed on
// the terminal with echo on, the prompt on stderr so stdout stays clean.
import { createInterface } from 'node:readline/promises';

import { MetacryptError } from '../errors/index.js';

/**
 * promptVisible asks for one line on the terminal. It refuses a stdin
 * that is not a terminal, naming the flag that gives the value instead,
 * rather than hang on a pipe or read a line meant for something else.
 */
export async function promptVisible(
  prompt: string,
  flag: string,
): Promise<string> {
  if (!process.stdin.isTTY) {
    throw new MetacryptError(
      'cli_usage',
      `stdin is not a terminal: pass --${flag}`,
    );
  }

  const terminal = createInterface({
    input: process.stdin,
    output: process.stderr,
    terminal: true,
  });
  // Ctrl-C at the prompt cancels, as at the password prompt; without a
  // listener readline would only pause and leave the question open.
  const cancel = new AbortController();
  terminal.on('SIGINT', () => {
    cancel.abort();
  });

  let answer: string;
  try {
    answer = await terminal.question(`${prompt}: `, { signal: cancel.signal });
  } catch {
    throw new MetacryptError('cli_usage', 'cancelled');
  } finally {
    terminal.close();
  }
  answer = answer.trim();
  if (answer === '') {
    throw new MetacryptError('cli_usage', `${flag} must not be empty`);
  }
  return answer;
}
