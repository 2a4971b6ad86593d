// The token cache with an injected clock: hits, misses, the TTL and the
// token's own expiry, deletion, and the bound on its size.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { identityOf, TokenCache, tokenKey } from '../../src/auth/index.js';
import type { Identity } from '../../src/auth/index.js';

const START = 1_700_000_000_000;

function clock(): { now: () => number; t: number } {
  const state = { t: START, now: (): number => state.t };
  return state;
}

function identity(username: string, expiresAtMs = START + 3_600_000): Identity {
  return identityOf({
    sub: `sub-${username}`,
    username,
    roles: ['user'],
    expiresAt: new Date(expiresAtMs),
  });
}

describe('TokenCache', () => {
  it('answers a cached token and misses an unknown one', () => {
    const cache = new TokenCache({ ttlMs: 30_000, now: clock().now });
    const alice = identity('alice');
    cache.set('token-a', alice);
    assert.equal(cache.get('token-a'), alice);
    assert.equal(cache.get('token-b'), undefined);
    assert.equal(cache.size, 1);
  });

  it('drops an entry once the TTL has passed', () => {
    const time = clock();
    const cache = new TokenCache({ ttlMs: 30_000, now: time.now });
    cache.set('token-a', identity('alice'));
    time.t += 29_999;
    assert.ok(cache.get('token-a'));
    time.t += 1;
    assert.equal(cache.get('token-a'), undefined);
    assert.equal(cache.size, 0);
  });

  it('drops an entry when its token expires before the TTL', () => {
    const time = clock();
    const cache = new TokenCache({ ttlMs: 30_000, now: time.now });
    cache.set('token-a', identity('alice', START + 10_000));
    time.t += 9_999;
    assert.ok(cache.get('token-a'));
    time.t += 1;
    assert.equal(cache.get('token-a'), undefined);
  });

  it('does not keep a token that has already expired', () => {
    const cache = new TokenCache({ ttlMs: 30_000, now: clock().now });
    cache.set('token-a', identity('alice', START));
    assert.equal(cache.size, 0);
  });

  it('caches nothing with a TTL of zero', () => {
    const cache = new TokenCache({ ttlMs: 0, now: clock().now });
    cache.set('token-a', identity('alice'));
    assert.equal(cache.get('token-a'), undefined);
  });

  it('forgets a deleted token and, on clear, every token', () => {
    const cache = new TokenCache({ ttlMs: 30_000, now: clock().now });
    cache.set('token-a', identity('alice'));
    cache.set('token-b', identity('bob'));
    assert.equal(cache.delete('token-a'), true);
    assert.equal(cache.delete('token-a'), false);
    assert.equal(cache.get('token-a'), undefined);
    assert.ok(cache.get('token-b'));
    cache.clear();
    assert.equal(cache.size, 0);
  });

  it('evicts the oldest entries past maxEntries', () => {
    const time = clock();
    const cache = new TokenCache({
      ttlMs: 30_000,
      maxEntries: 3,
      now: time.now,
    });
    for (const name of ['a', 'b', 'c']) {
      cache.set(`token-${name}`, identity(name));
      time.t += 1;
    }
    // Setting a again makes it the youngest, so b is the oldest now.
    cache.set('token-a', identity('a'));
    cache.set('token-d', identity('d'));
    assert.equal(cache.size, 3);
    assert.equal(cache.get('token-b'), undefined);
    for (const name of ['a', 'c', 'd']) assert.ok(cache.get(`token-${name}`));
  });

  it('keys entries by the hex SHA-256 of the token', () => {
    assert.equal(
      tokenKey('abc'),
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });
});
