// CSRF tokens as properties: a token passes only with its own cookie,
// for the session it was made for, under the key that made it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  CsrfTokens,
  sessionBinding,
} from '../../../src/server/ui/csrf-tokens.js';
import { MacKey } from '../../../src/server/ui/mac-key.js';

describe('CSRF tokens', () => {
  const tokens = new CsrfTokens(new MacKey());
  const session = sessionBinding('s1.0.dG9rZW4.tag');

  it('passes a token sent with the same cookie, for its session', () => {
    const token = tokens.issue(session);
    assert.equal(tokens.isValid(token, session), true);
    assert.equal(tokens.check(token, token, session), true);
  });

  it('makes a new random value each time', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 100; i++) seen.add(tokens.issue(session));
    assert.equal(seen.size, 100);
  });

  it('refuses a missing token, a missing cookie, or the two differing', () => {
    const token = tokens.issue(session);
    const other = tokens.issue(session);
    assert.equal(tokens.check(undefined, token, session), false);
    assert.equal(tokens.check(token, undefined, session), false);
    assert.equal(tokens.check(token, other, session), false);
    assert.equal(tokens.check(token, `${token}x`, session), false);
  });

  it('refuses a token made for another session or before login', () => {
    const anonymous = tokens.issue(sessionBinding(undefined));
    assert.equal(tokens.check(anonymous, anonymous, session), false);
    const theirs = tokens.issue(sessionBinding('s1.0.b3RoZXI.tag'));
    assert.equal(tokens.check(theirs, theirs, session), false);
  });

  it('refuses a token made under another key, or altered', () => {
    const foreign = new CsrfTokens(new MacKey()).issue(session);
    assert.equal(tokens.check(foreign, foreign, session), false);
    const token = tokens.issue(session);
    for (let i = 0; i < token.length; i++) {
      const char = token[i] === 'A' ? 'B' : 'A';
      const altered = token.slice(0, i) + char + token.slice(i + 1);
      assert.equal(tokens.isValid(altered, session), false, String(i));
    }
    assert.equal(tokens.isValid('', session), false);
    assert.equal(tokens.isValid('not.a.token', session), false);
  });

  it('names no session with the empty binding, and hides the cookie', () => {
    assert.equal(sessionBinding(undefined), '');
    const binding = sessionBinding('secret-cookie');
    assert.match(binding, /^[A-Za-z0-9_-]{43}$/);
    assert.ok(!binding.includes('secret'));
  });
});
