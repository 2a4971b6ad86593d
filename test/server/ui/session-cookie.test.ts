// Session cookies as properties: what is sealed opens to the same token
// and epoch, and anything altered, truncated or from another key does
// not open at all.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { MacKey } from '../../../src/server/ui/mac-key.js';
import { SessionCookies } from '../../../src/server/ui/session-cookie.js';

describe('session cookies', () => {
  const cookies = new SessionCookies(new MacKey());
  const ticket = { token: 'eyJhbGciOi.J9+/x~-_==', epoch: 7 };

  it('opens what it sealed, in characters a cookie may hold', () => {
    const value = cookies.seal(ticket);
    assert.match(value, /^s1\.7\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    assert.deepEqual(cookies.open(value), ticket);
  });

  it('does not open a value with any character changed', () => {
    const value = cookies.seal(ticket);
    for (let i = 0; i < value.length; i++) {
      if (value[i] === '.') continue;
      const char = value[i] === 'A' ? 'B' : 'A';
      const altered = value.slice(0, i) + char + value.slice(i + 1);
      assert.equal(cookies.open(altered), undefined, String(i));
    }
  });

  it('does not open another spelling of the same tag bytes', () => {
    // The last of 43 base64url characters carries 4 bits and 2 spare
    // ones; flipping a spare bit spells the same 32 bytes differently.
    const alphabet =
      'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const value = cookies.seal(ticket);
    const last = alphabet.indexOf(value.slice(-1));
    const respelt = value.slice(0, -1) + (alphabet[last ^ 1] ?? '');
    const tag = (text: string): Buffer =>
      Buffer.from(text.split('.')[3] ?? '', 'base64url');
    assert.deepEqual(tag(respelt), tag(value));
    assert.equal(cookies.open(respelt), undefined);
  });

  it('does not open another epoch, another key, or a malformed value', () => {
    const value = cookies.seal(ticket);
    const [version, , token, tag] = value.split('.');
    assert.equal(cookies.open([version, '8', token, tag].join('.')), undefined);
    const other = new SessionCookies(new MacKey());
    assert.equal(other.open(value), undefined);
    for (const bad of [
      '',
      's1',
      's1.7.x',
      `${value}.x`,
      's2' + value.slice(2),
    ]) {
      assert.equal(cookies.open(bad), undefined, bad);
    }
  });

  it('carries the token in base64url, as secret as the token itself', () => {
    // The cookie is HttpOnly and Secure; its value is the bearer token
    // itself, so it is as secret as the token.
    const value = cookies.seal({ token: 'plain-token', epoch: 0 });
    assert.ok(!value.includes('plain-token'));
    assert.equal(cookies.open(value)?.token, 'plain-token');
  });
});
