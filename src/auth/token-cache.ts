// Remembers recent token validations for a short time, keyed by a hash of
// the token, so most requests need no call to MCIAS (DESIGN.md §6).
import { hash } from 'node:crypto';

import type { Identity } from './identity.js';

/** DEFAULT_MAX_ENTRIES bounds the cache when the caller does not. */
export const DEFAULT_MAX_ENTRIES = 10_000;

/** TokenCacheOptions configure a TokenCache. */
export interface TokenCacheOptions {
  /** How long a validation is trusted; 0 turns caching off. */
  readonly ttlMs: number;
  readonly maxEntries?: number;
  /** The clock, in Unix milliseconds; tests pass their own. */
  readonly now?: () => number;
}

interface Entry {
  readonly identity: Identity;
  readonly expiresAtMs: number;
}

/**
 * tokenKey is the cache key of a token: the hex SHA-256 of its text. The
 * token itself is never kept, so a memory dump of the cache holds no
 * credential.
 */
export function tokenKey(token: string): string {
  // The one-shot hash: this runs for every request that carries a token.
  return hash('sha256', token, 'hex');
}

/**
 * TokenCache maps tokens to the identity MCIAS gave for them. An entry
 * lives until the TTL passes or the token expires, whichever is first;
 * past maxEntries the oldest entry is dropped. Map iteration order is
 * insertion order, so the first key is always the oldest.
 */
export class TokenCache {
  readonly #entries = new Map<string, Entry>();
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #now: () => number;

  constructor(options: TokenCacheOptions) {
    this.#ttlMs = options.ttlMs;
    this.#maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
    this.#now = options.now ?? Date.now;
  }

  /** size is the number of entries, expired ones not yet dropped included. */
  get size(): number {
    return this.#entries.size;
  }

  /** get returns the cached identity for token, if still fresh. */
  get(token: string): Identity | undefined {
    const key = tokenKey(token);
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAtMs <= this.#now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry.identity;
  }

  /** set caches identity for token, unless it would already be stale. */
  set(token: string, identity: Identity): void {
    const now = this.#now();
    const expiresAtMs = Math.min(
      now + this.#ttlMs,
      identity.expiresAt.getTime(),
    );
    const key = tokenKey(token);
    // Deleting first moves a refreshed entry to the young end.
    this.#entries.delete(key);
    if (expiresAtMs <= now || this.#maxEntries < 1) return;

    this.#entries.set(key, { identity, expiresAtMs });
    for (const oldest of this.#entries.keys()) {
      if (this.#entries.size <= this.#maxEntries) break;
      this.#entries.delete(oldest);
    }
  }

  /** delete forgets token; it tells whether there was an entry. */
  delete(token: string): boolean {
    return this.#entries.delete(tokenKey(token));
  }

  /** clear forgets every token. */
  clear(): void {
    this.#entries.clear();
  }
}
