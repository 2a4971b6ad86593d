// The dev server's tokens: only an unaltered, unexpired, unrevoked token
// signed by this issuer's key verifies.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  DEV_ISSUER,
  TokenIssuer,
} from '../../src/dev-identity/token-issuer.js';

const SUBJECT = { sub: 'sub-1', username: 'alice', roles: ['user'] };

function clock(start = 1_700_000_000_000): { now: () => number; t: number } {
  const state = { t: start, now: (): number => state.t };
  return state;
}

describe('TokenIssuer', () => {
  it('issues tokens that verify and carry the subject', () => {
    const time = clock();
    const issuer = new TokenIssuer({ ttlSeconds: 60, now: time.now });
    const { token, claims } = issuer.issue(SUBJECT);
    assert.deepEqual(issuer.verify(token), claims);
    assert.equal(claims.iss, DEV_ISSUER);
    assert.equal(claims.username, 'alice');
    assert.deepEqual(claims.roles, ['user']);
    assert.equal(claims.iat, time.t / 1000);
    assert.equal(claims.exp, time.t / 1000 + 60);
    assert.match(token, /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
  });

  it('gives every token its own id', () => {
    const issuer = new TokenIssuer({ ttlSeconds: 60 });
    const ids = new Set(
      Array.from({ length: 20 }, () => issuer.issue(SUBJECT).claims.jti),
    );
    assert.equal(ids.size, 20);
  });

  it('refuses a token whose payload was changed', () => {
    const issuer = new TokenIssuer({ ttlSeconds: 60 });
    const { token, claims } = issuer.issue(SUBJECT);
    const [, signature] = token.split('.');
    const forged = Buffer.from(
      JSON.stringify({ ...claims, roles: ['admin'] }),
    ).toString('base64url');
    assert.equal(issuer.verify(`${forged}.${signature ?? ''}`), null);
  });

  it('refuses a token signed by another issuer', () => {
    const other = new TokenIssuer({ ttlSeconds: 60 });
    const issuer = new TokenIssuer({ ttlSeconds: 60 });
    assert.equal(issuer.verify(other.issue(SUBJECT).token), null);
  });

  it('refuses a token once it has expired', () => {
    const time = clock();
    const issuer = new TokenIssuer({ ttlSeconds: 60, now: time.now });
    const { token } = issuer.issue(SUBJECT);
    time.t += 59_999;
    assert.notEqual(issuer.verify(token), null);
    time.t += 1;
    assert.equal(issuer.verify(token), null);
  });

  it('refuses a revoked token and keeps accepting the others', () => {
    const issuer = new TokenIssuer({ ttlSeconds: 60 });
    const revoked = issuer.issue(SUBJECT);
    const kept = issuer.issue(SUBJECT);
    issuer.revoke(revoked.claims);
    assert.equal(issuer.verify(revoked.token), null);
    assert.notEqual(issuer.verify(kept.token), null);
  });

  it('refuses strings that are not tokens', () => {
    const issuer = new TokenIssuer({ ttlSeconds: 60 });
    const { token } = issuer.issue(SUBJECT);
    const [payload = '', signature = ''] = token.split('.');
    const bad = [
      '',
      '.',
      payload,
      `${payload}.`,
      `${token}.${signature}`,
      `${payload}.${signature}=`,
      `${payload}.${signature.slice(0, -2)}`,
      `${payload} .${signature}`,
      `${'a'.repeat(5000)}.${signature}`,
    ];
    for (const text of bad) assert.equal(issuer.verify(text), null, text);
  });
});
