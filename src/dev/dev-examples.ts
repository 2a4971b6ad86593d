// The commands `metacrypt dev` prints for its user to paste: the exports
// the metacrypt command reads, and three curl calls, quoted for sh.
import type { DevFacts } from './dev-facts.js';

/** CurlExample is one curl command and what it shows. */
export interface CurlExample {
  /** A short line saying what the command does. */
  readonly purpose: string;
  /** The command's words, one list per printed line. */
  readonly lines: readonly (readonly string[])[];
}

/** HELLO_WORLD_BASE64 is `hello world`, as transit takes plaintext. */
export const HELLO_WORLD_BASE64 = 'aGVsbG8gd29ybGQ=';

// Words made only of these need no quotes in sh: no globbing, no
// expansion, no word splitting.
const PLAIN_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

/**
 * shellWord quotes word for sh when it needs it: inside single quotes
 * nothing is special, and a single quote itself is closed, escaped and
 * reopened.
 */
export function shellWord(word: string): string {
  if (PLAIN_WORD.test(word)) return word;
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** shellLine joins words into one line of sh. */
export function shellLine(words: readonly string[]): string {
  return words.map(shellWord).join(' ');
}

/** envExports are the lines that point the metacrypt command at facts. */
export function envExports(facts: DevFacts): string[] {
  return [
    `export METACRYPT_ADDR=${shellWord(facts.addr)}`,
    `export METACRYPT_CA_CERT=${shellWord(facts.caCert)}`,
  ];
}

/**
 * curlExamples are the banner's three calls: the seal state, a login as
 * the normal user, and an encryption with the demo key as admin. They
 * name the address, CA file and token literally, so each works pasted
 * into any shell, before or without the exports.
 */
export function curlExamples(facts: DevFacts): CurlExample[] {
  // -w '\n' ends the reply with a line break, so the prompt that
  // follows starts on a line of its own.
  const curl = ['curl', '-sS', '-w', '\\n', '--cacert', facts.caCert];
  const { user } = facts.accounts;
  const login = { username: user.username, password: user.password };
  const encrypt =
    `/v1/transit/${facts.transitMount}/encrypt/` + facts.transitKey;

  return [
    {
      purpose: 'the seal state',
      lines: [curl, [`${facts.addr}/v1/status`]],
    },
    {
      purpose: `log in as ${user.username}; the reply holds a token`,
      lines: [
        curl,
        ['-X', 'POST', `${facts.addr}/v1/auth/login`],
        ['-d', JSON.stringify(login)],
      ],
    },
    {
      purpose: `encrypt "hello world" with ${facts.transitKey}, as admin`,
      lines: [
        curl,
        ['-X', 'POST', facts.addr + encrypt],
        ['-H', `Authorization: Bearer ${facts.adminToken}`],
        ['-d', JSON.stringify({ plaintext: HELLO_WORLD_BASE64 })],
      ],
    },
  ];
}

/**
 * curlCommand writes an example as sh: on one line, or with indent and
 * a backslash continuation between its lines.
 */
export function curlCommand(example: CurlExample, indent?: string): string {
  const lines = example.lines.map(shellLine);
  return indent === undefined ? lines.join(' ') : lines.join(` \\\n${indent}`);
}
