// `mcias-dev hash-password`: reads one password from stdin (without echo
// on a terminal) and prints its argon2id hash for a users file.
import type { Writable } from 'node:stream';

import { MetacryptError } from '../errors/index.js';
import { hashPassword } from './argon2-hash.js';

/** PasswordInput is stdin, or any readable stream in tests. */
export type PasswordInput = NodeJS.ReadableStream & {
  readonly isTTY?: boolean;
  setRawMode?: (mode: boolean) => unknown;
};

/**
 * runHashPassword reads the password and writes its encoded hash and a
 * newline to output. From a pipe it reads to the end and drops one
 * trailing line break; from a terminal it prompts on prompt and reads one
 * line without echoing it. An empty password is refused.
 */
export async function runHashPassword(
  input: PasswordInput,
  output: Writable,
  prompt: Writable,
): Promise<void> {
  const password =
    input.isTTY === true && input.setRawMode !== undefined
      ? await readHidden(input, prompt)
      : await readAll(input);
  if (password === undefined) {
    throw new MetacryptError('bad_request', 'hash-password: cancelled');
  }
  if (password === '') {
    throw new MetacryptError('bad_request', 'hash-password: empty password');
  }
  output.write(`${await hashPassword(password)}\n`);
}

async function readAll(input: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of input) {
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  }
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

function readHidden(
  input: PasswordInput,
  prompt: Writable,
): Promise<string | undefined> {
  return new Promise((resolve) => {
    // Code points, so Backspace removes a whole character.
    const typed: string[] = [];
    const finish = (value: string | undefined): void => {
      input.off('data', onData);
      input.setRawMode?.(false);
      input.pause();
      prompt.write('\n');
      resolve(value);
    };
    // Raw mode hands over each key as typed: Enter ends the line, Ctrl-C
    // or Ctrl-D cancels, Backspace removes the last character.
    const onData = (chunk: Buffer | string): void => {
      for (const char of chunk.toString()) {
        if (char === '\r' || char === '\n') {
          finish(typed.join(''));
          return;
        }
        if (char === '\u0003' || char === '\u0004') {
          finish(undefined);
          return;
        }
        if (char === '\u007f' || char === '\b') typed.pop();
        else typed.push(char);
      }
    };
    prompt.write('password: ');
    input.setRawMode?.(true);
    input.on('data', onData);
    input.resume();
  });
}
