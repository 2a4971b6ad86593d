// Turns credentials into tokens and tokens into identities: MCIAS behind
// a short-lived cache, so requests keep working through a brief outage.
import { MetacryptError } from '../errors/index.js';
import type { Logger } from '../log/index.js';
import { MAX_TOKEN_LENGTH } from './bearer-token.js';
import { identityOf } from './identity.js';
import type { Identity } from './identity.js';
import type { LoginReply, LoginRequest, MciasClient } from './mcias-client.js';
import { tokenKey } from './token-cache.js';
import type { TokenCache } from './token-cache.js';

/** AuthenticatorClient is the part of MciasClient the authenticator uses. */
export type AuthenticatorClient = Pick<
  MciasClient,
  'login' | 'validate' | 'logout'
>;

/** AuthenticatorOptions configure an Authenticator. */
export interface AuthenticatorOptions {
  readonly client: AuthenticatorClient;
  readonly cache: TokenCache;
  readonly logger?: Logger;
  /** The clock for token expiry; pass the cache's clock in tests. */
  readonly now?: () => number;
}

// How long a logged-out token is remembered when its expiry is not known,
// and how many are remembered at most: enough for any token MCIAS issues
// to expire first, without letting logouts grow the map without bound.
const REVOKED_FALLBACK_MS = 24 * 60 * 60 * 1000;
const MAX_REVOKED = 10_000;

// A validation under way. The ticket tells this flight from a later one
// for the same token, after a logout has dropped it.
interface Flight {
  readonly ticket: object;
  readonly identity: Promise<Identity>;
}

/**
 * Authenticator logs users in through MCIAS and authenticates tokens. A
 * token seen recently is answered from the cache without asking MCIAS;
 * otherwise MCIAS validates it and the answer is cached. Validations of
 * one token that overlap share one call to MCIAS, and a logout during
 * such a call keeps its answer out of the cache.
 */
export class Authenticator {
  readonly #client: AuthenticatorClient;
  readonly #cache: TokenCache;
  readonly #logger: Logger | undefined;
  readonly #now: () => number;
  readonly #inFlight = new Map<string, Flight>();
  // SHA-256 of each logged-out token, until it expires: a logout stays
  // final even if MCIAS was unreachable and never revoked the token.
  readonly #revoked = new Map<string, number>();
  #hits = 0;
  #misses = 0;

  constructor(options: AuthenticatorOptions) {
    this.#client = options.client;
    this.#cache = options.cache;
    this.#logger = options.logger;
    this.#now = options.now ?? Date.now;
  }

  /** cacheHits counts authentications answered from the cache. */
  get cacheHits(): number {
    return this.#hits;
  }

  /** cacheMisses counts authentications that needed MCIAS. */
  get cacheMisses(): number {
    return this.#misses;
  }

  /**
   * login exchanges credentials for a token. Failures keep MciasClient's
   * codes: `invalid_credentials`, `login_denied`, `mcias_unavailable`.
   */
  async login(credentials: LoginRequest): Promise<LoginReply> {
    try {
      const reply = await this.#client.login(credentials);
      this.#logger?.info('login', { username: credentials.username });
      return reply;
    } catch (err) {
      if (err instanceof MetacryptError) {
        this.#logger?.warn('login refused', {
          username: credentials.username,
          code: err.code,
        });
      }
      throw err;
    }
  }

  /**
   * authenticate returns the identity behind a token, or throws
   * `unauthenticated` for a token MCIAS does not accept or that has
   * expired, and `mcias_unavailable` when the token is not cached and
   * MCIAS cannot be asked.
   */
  async authenticate(token: string): Promise<Identity> {
    if (token === '' || token.length > MAX_TOKEN_LENGTH) {
      throw new MetacryptError('unauthenticated');
    }
    if (this.#revoked.size > 0 && this.#isRevoked(tokenKey(token))) {
      throw new MetacryptError('unauthenticated');
    }
    const cached = this.#cache.get(token);
    if (cached !== undefined) {
      this.#hits++;
      return cached;
    }
    this.#misses++;

    const key = tokenKey(token);
    const pending = this.#inFlight.get(key);
    if (pending !== undefined) return pending.identity;
    const ticket = {};
    const identity = this.#validate(token, key, ticket);
    this.#inFlight.set(key, { ticket, identity });
    return identity;
  }

  /**
   * logout forgets the token here first, and remembers it as logged out
   * until it expires, so it stops working at once and for good even if
   * MCIAS cannot be told; then it asks MCIAS to revoke it. MCIAS being
   * unreachable is logged, not thrown; so is MCIAS no longer accepting
   * the token, which leaves nothing to revoke.
   */
  async logout(token: string): Promise<void> {
    this.#revoke(token);
    this.#cache.delete(token);
    this.#inFlight.delete(tokenKey(token));
    try {
      await this.#client.logout(token);
    } catch (err) {
      if (!(err instanceof MetacryptError)) throw err;
      if (err.code === 'mcias_unavailable') {
        this.#logger?.warn('logout not sent to mcias', { err });
      } else if (err.code === 'unauthenticated') {
        this.#logger?.debug('logout of a token mcias no longer accepts');
      } else {
        throw err;
      }
    }
  }

  #revoke(token: string): void {
    const now = this.#now();
    for (const [key, until] of this.#revoked) {
      if (until <= now) this.#revoked.delete(key);
    }
    while (this.#revoked.size >= MAX_REVOKED) {
      const oldest = this.#revoked.keys().next().value;
      if (oldest === undefined) break;
      this.#revoked.delete(oldest);
    }
    const expires = this.#cache.get(token)?.expiresAt.getTime();
    this.#revoked.set(tokenKey(token), expires ?? now + REVOKED_FALLBACK_MS);
  }

  #isRevoked(key: string): boolean {
    const until = this.#revoked.get(key);
    if (until === undefined) return false;
    if (until > this.#now()) return true;
    this.#revoked.delete(key);
    return false;
  }

  // Runs up to its first await before authenticate records the flight,
  // and looks at the flight only after that await.
  async #validate(
    token: string,
    key: string,
    ticket: object,
  ): Promise<Identity> {
    const current = (): boolean => this.#inFlight.get(key)?.ticket === ticket;
    try {
      // Step 1: ask MCIAS.
      const info = await this.#client.validate(token);
      if (info === null || info.expiresAt.getTime() <= this.#now()) {
        throw new MetacryptError('unauthenticated');
      }

      // Step 2: cache the answer, unless a logout came while asking.
      const identity = identityOf(info);
      if (current()) this.#cache.set(token, identity);
      return identity;
    } finally {
      if (current()) this.#inFlight.delete(key);
    }
  }
}
