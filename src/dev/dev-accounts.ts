// The accounts `metacrypt dev` makes up on every start: an admin and a
// normal user with random passwords, and a random seal password.
import { randomBytes } from '../crypto/index.js';
import { hashPassword } from '../dev-identity/index.js';
import type { Argon2Cost, DevUserEntry } from '../dev-identity/index.js';

/** DevAccount is one made-up user, with the password in the clear. */
export interface DevAccount {
  readonly username: string;
  readonly password: string;
  readonly roles: readonly string[];
}

/** DevAccounts are the two users the development server starts with. */
export interface DevAccounts {
  /** Has the `admin` role, which makes a Metacrypt admin. */
  readonly admin: DevAccount;
  /** Has the `user` role only, so policy rules decide what it may do. */
  readonly user: DevAccount;
}

/**
 * DEV_ARGON2_COST keeps the identity server's password hashes cheap:
 * each login checks one, and these passwords are printed anyway.
 */
export const DEV_ARGON2_COST: Argon2Cost = {
  memoryCost: 19 * 1024,
  timeCost: 2,
  parallelism: 1,
};

// 18 bytes are 144 bits and 24 base64url characters: letters, digits,
// `-` and `_`, which need no quoting in JSON or inside shell quotes.
const PASSWORD_BYTES = 18;

/** randomPassword returns a new random password of 24 characters. */
export function randomPassword(): string {
  return randomBytes(PASSWORD_BYTES).toString('base64url');
}

/** makeDevAccounts makes `admin` and `alice`, each with a new password. */
export function makeDevAccounts(): DevAccounts {
  return {
    admin: { username: 'admin', password: randomPassword(), roles: ['admin'] },
    user: { username: 'alice', password: randomPassword(), roles: ['user'] },
  };
}

/** userEntries hashes the accounts into the identity server's users. */
export async function userEntries(
  accounts: DevAccounts,
  cost: Argon2Cost = DEV_ARGON2_COST,
): Promise<DevUserEntry[]> {
  return Promise.all(
    [accounts.admin, accounts.user].map(async (account) => ({
      username: account.username,
      password_hash: await hashPassword(account.password, cost),
      roles: account.roles,
    })),
  );
}
