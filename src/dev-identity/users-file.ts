// The dev identity server's users: the file format (TOML or JSON), its
// schema, and errors that name the file and the field but never a value.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';

import { parse as parseToml, TomlError } from 'smol-toml';
import { z } from 'zod';

import { errnoReason, MetacryptError, quoteInput } from '../errors/index.js';
import { argon2idCost } from './argon2-hash.js';
import { describeIssue } from './describe-issue.js';
import { isTotpSecret } from './totp.js';

/** DevUserEntry is one `[[users]]` entry as written in a users file. */
export interface DevUserEntry {
  readonly username: string;
  /** An encoded argon2id hash (`bin/mcias-dev.js hash-password`). */
  readonly password_hash: string;
  readonly roles?: readonly string[];
  /** Base32 TOTP secret; when set, login needs a current code. */
  readonly totp_secret?: string;
  /** A disabled user's login is denied (403). */
  readonly disabled?: boolean;
  /** When set, login is denied for any other service_name. */
  readonly services?: readonly string[];
}

/** DevUser is a validated user, ready for the server to check logins. */
export interface DevUser {
  readonly username: string;
  /** Stable subject id derived from the username. */
  readonly sub: string;
  readonly passwordHash: string;
  readonly roles: readonly string[];
  readonly totpSecret: string | undefined;
  readonly disabled: boolean;
  readonly services: readonly string[] | undefined;
}

const text = z.string().min(1, { error: 'must not be empty' });

const USER_ENTRY = z.strictObject({
  username: text.max(256, { error: 'must be at most 256 characters' }),
  password_hash: z.string().refine((v) => argon2idCost(v) !== undefined, {
    error: 'must be an argon2id encoded hash ($argon2id$v=19$...)',
  }),
  roles: z.array(text).default([]),
  totp_secret: z
    .string()
    .refine(isTotpSecret, { error: 'must be base32 of at least 10 bytes' })
    .optional(),
  disabled: z.boolean().default(false),
  services: z.array(text).optional(),
});

const USERS_DOCUMENT = z.strictObject({ users: z.array(USER_ENTRY) });

/**
 * loadUsersFile reads and validates a users file: TOML for `.toml`, JSON
 * for `.json`. Errors are MetacryptErrors (`config_read`, `config_parse`,
 * `config_invalid`) whose message names the file and the field.
 */
export function loadUsersFile(path: string): DevUser[] {
  const kind = extname(path).toLowerCase();
  if (kind !== '.toml' && kind !== '.json') {
    throw usersError('config_invalid', path, 'must end in .toml or .json');
  }

  let content: string;
  try {
    content = readFileSync(path, 'utf8');
  } catch (err) {
    throw usersError('config_read', path, errnoReason(err) ?? 'unreadable');
  }

  return validate(
    kind === '.toml' ? parseTomlText(path, content) : parseJson(path, content),
    path,
  );
}

/**
 * parseUsers validates users given in the file's entry shape (for callers
 * that build them in code); source names them in error messages.
 */
export function parseUsers(
  entries: readonly DevUserEntry[],
  source = 'users option',
): DevUser[] {
  return validate({ users: entries }, source);
}

/**
 * devSubject derives a user's subject id: UUID-shaped, stable across
 * restarts and users files, and different from the username, as an
 * MCIAS subject is.
 */
export function devSubject(username: string): string {
  const hex = createHash('sha256')
    .update(`metacrypt-dev-identity/${username}`)
    .digest('hex');
  const part = (from: number, to: number): string => hex.slice(from, to);
  return [
    part(0, 8),
    part(8, 12),
    part(12, 16),
    part(16, 20),
    part(20, 32),
  ].join('-');
}

function validate(document: unknown, source: string): DevUser[] {
  // Step 1: the shape of every entry.
  const result = USERS_DOCUMENT.safeParse(document);
  if (!result.success) {
    const issue = result.error.issues[0];
    const problem =
      issue === undefined ? 'invalid' : describeIssue(issue, document);
    const hint =
      problem === 'users is required' ? ' (add [[users]] entries)' : '';
    throw usersError('config_invalid', source, problem + hint);
  }

  // Step 2: usernames are unique, ignoring case, because policy rules
  // compare usernames case-insensitively (DESIGN.md §7).
  const seen = new Map<string, number>();
  result.data.users.forEach((entry, index) => {
    const folded = entry.username.toLowerCase();
    const first = seen.get(folded);
    if (first !== undefined) {
      throw usersError(
        'config_invalid',
        source,
        `users[${index}].username ${quoteInput(entry.username)} ` +
          `duplicates users[${first}]`,
      );
    }
    seen.set(folded, index);
  });

  // Step 3: the server's form of each user.
  return result.data.users.map((entry) => ({
    username: entry.username,
    sub: devSubject(entry.username),
    passwordHash: entry.password_hash,
    roles: entry.roles,
    totpSecret: entry.totp_secret,
    disabled: entry.disabled,
    services: entry.services,
  }));
}

function parseTomlText(path: string, content: string): unknown {
  try {
    return parseToml(content);
  } catch (err) {
    if (!(err instanceof TomlError)) throw err;
    // Only the parser's first line: the rest quotes the file, which holds
    // password hashes and TOTP secrets.
    const reason = err.message
      .split('\n')[0]
      ?.replace(/^Invalid TOML document: /, '');
    const where = `${path}:${err.line}:${err.column}`;
    throw usersError('config_parse', where, reason ?? 'syntax error');
  }
}

function parseJson(path: string, content: string): unknown {
  try {
    return JSON.parse(content) as unknown;
  } catch {
    // V8's message quotes the text around the error; say no more than this.
    throw usersError('config_parse', path, 'not valid JSON');
  }
}

function usersError(
  code: 'config_read' | 'config_parse' | 'config_invalid',
  source: string,
  problem: string,
): MetacryptError {
  return new MetacryptError(code, `dev identity server: ${source}: ${problem}`);
}
