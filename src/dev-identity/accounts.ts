// The dev identity server's login check: password, second factor, then
// login policy, in an order and at a cost that give nothing away.
import type { Argon2Cost } from './argon2-hash.js';
import { argon2idCost, decoyHash, verifyPassword } from './argon2-hash.js';
import { verifyTotp } from './totp.js';
import type { DevUser } from './users-file.js';

/** LoginAttempt is what a login request asks for. */
export interface LoginAttempt {
  readonly username: string;
  readonly password: string;
  readonly totpCode?: string;
  readonly serviceName?: string;
}

/**
 * LoginOutcome is the answer to a login attempt. The reason is for the
 * server's own log; a client only ever learns the kind.
 */
export type LoginOutcome =
  | { readonly kind: 'ok'; readonly user: DevUser }
  | {
      readonly kind: 'invalid';
      readonly reason:
        | 'unknown user'
        | 'wrong password'
        | 'totp code missing'
        | 'wrong totp code';
    }
  | {
      readonly kind: 'denied';
      readonly reason: 'disabled' | 'service not allowed';
      readonly user: DevUser;
    };

/**
 * Accounts holds the users and answers login attempts. A user who does not
 * exist costs the same Argon2id work as one who does, against a decoy hash
 * made with the first user's parameters, so the answer's timing does not
 * tell which usernames exist. The login policy (disabled, services) is
 * checked only after the password and code are right, so a 403 tells
 * nothing to someone who does not hold the credentials.
 */
export class Accounts {
  readonly #users: ReadonlyMap<string, DevUser>;
  readonly #decoy: string;
  readonly #now: () => number;

  private constructor(
    users: ReadonlyMap<string, DevUser>,
    decoy: string,
    now: () => number,
  ) {
    this.#users = users;
    this.#decoy = decoy;
    this.#now = now;
  }

  /** create builds the accounts for users, making the decoy hash first. */
  static async create(
    users: readonly DevUser[],
    now: () => number = Date.now,
  ): Promise<Accounts> {
    const first = users[0];
    const cost: Argon2Cost | undefined =
      first === undefined ? undefined : argon2idCost(first.passwordHash);
    const byName = new Map(users.map((user) => [user.username, user]));
    return new Accounts(byName, await decoyHash(cost), now);
  }

  /** size is the number of users. */
  get size(): number {
    return this.#users.size;
  }

  /** check answers one login attempt. */
  async check(attempt: LoginAttempt): Promise<LoginOutcome> {
    // Step 1: the password, with the same work whether the user exists.
    const user = this.#users.get(attempt.username);
    const hash = user?.passwordHash ?? this.#decoy;
    const passwordOk = await verifyPassword(hash, attempt.password);
    if (user === undefined) return { kind: 'invalid', reason: 'unknown user' };
    if (!passwordOk) return { kind: 'invalid', reason: 'wrong password' };

    // Step 2: the second factor, for users who have one.
    if (user.totpSecret !== undefined) {
      if (attempt.totpCode === undefined) {
        return { kind: 'invalid', reason: 'totp code missing' };
      }
      if (!verifyTotp(user.totpSecret, attempt.totpCode, this.#now())) {
        return { kind: 'invalid', reason: 'wrong totp code' };
      }
    }

    // Step 3: the login policy.
    if (user.disabled) return { kind: 'denied', reason: 'disabled', user };
    const services = user.services;
    if (
      services !== undefined &&
      (attempt.serviceName === undefined ||
        !services.includes(attempt.serviceName))
    ) {
      return { kind: 'denied', reason: 'service not allowed', user };
    }
    return { kind: 'ok', user };
  }
}
