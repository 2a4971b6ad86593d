// The bytes a command works on, taken from a flag's text, a file or
// stdin, and their base64 form for the API, so nobody encodes by hand.
import { readFileSync } from 'node:fs';

import { errnoReason, MetacryptError } from '../errors/index.js';

/** STDIN_PATH is the --file value that means "read stdin". */
export const STDIN_PATH = '-';

/** InputChoice is the two ways a command takes its input. */
export interface InputChoice {
  /** The flag that gives the input as text, such as `plaintext`. */
  readonly textFlag: string;
  /** The text given, if it was. */
  readonly text?: string | undefined;
  /** The --file path given (STDIN_PATH for stdin), if it was. */
  readonly file?: string | undefined;
}

/**
 * readInputBytes returns the input exactly: the text as UTF-8, or the
 * file's or stdin's bytes untouched (a final newline included), so
 * binary files go through as they are.
 */
export async function readInputBytes(choice: InputChoice): Promise<Buffer> {
  if (choice.text !== undefined && choice.file !== undefined) {
    throw new MetacryptError(
      'cli_usage',
      `--${choice.textFlag} and --file cannot be used together`,
    );
  }
  if (choice.text !== undefined) return Buffer.from(choice.text, 'utf8');
  if (choice.file === undefined) {
    throw new MetacryptError(
      'cli_usage',
      `pass --${choice.textFlag} or --file (${STDIN_PATH} for stdin)`,
    );
  }
  if (choice.file === STDIN_PATH) return readStdin();
  return readFileBytes(choice.file);
}

/**
 * readInputValue returns a one-line value (a ciphertext, a rule in JSON)
 * as text. Surrounding white space is dropped, since such a value saved
 * with `>` or typed into a file ends with a newline that is not part of it.
 */
export async function readInputValue(choice: InputChoice): Promise<string> {
  const bytes = await readInputBytes(choice);
  const value = bytes.toString('utf8').trim();
  if (value === '') {
    throw new MetacryptError('cli_usage', `${describe(choice)} is empty`);
  }
  return value;
}

/** readJsonInput parses the input as one JSON value. */
export async function readJsonInput(choice: InputChoice): Promise<unknown> {
  const text = await readInputValue(choice);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // The parser's message quotes the text, which may hold a secret, so
    // it is left out.
    throw new MetacryptError(
      'cli_usage',
      `${describe(choice)} is not valid JSON`,
    );
  }
}

/** toBase64 is the standard base64 the API reads (RFC 4648 §4). */
export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64');
}

/**
 * fromBase64 decodes a value the server answered in base64, refusing
 * anything else rather than decoding garbage to garbage.
 */
export function fromBase64(text: string, what: string): Buffer {
  const bytes = Buffer.from(text, 'base64');
  if (bytes.toString('base64') !== text) {
    throw new MetacryptError('cli_reply', `${what} is not base64`);
  }
  return bytes;
}

/** readStdin reads stdin to its end, as bytes. */
export async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const stdin = process.stdin as AsyncIterable<Buffer | string>;
  for await (const chunk of stdin) {
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  }
  return Buffer.concat(chunks);
}

function readFileBytes(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new MetacryptError(
      'cli_usage',
      `--file ${path}: ${errnoReason(err) ?? 'cannot read it'}`,
    );
  }
}

function describe(choice: InputChoice): string {
  if (choice.text !== undefined) return `--${choice.textFlag}`;
  return choice.file === STDIN_PATH ? 'stdin' : `--file ${choice.file ?? ''}`;
}
