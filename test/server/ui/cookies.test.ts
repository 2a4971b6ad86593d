// Reading one cookie out of a Cookie header.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { readCookie } from '../../../src/server/ui/cookies.js';

describe('readCookie', () => {
  it('finds a cookie among others, trimming the spaces around it', () => {
    const header = 'a=1; __Host-x=v.a_l-ue ; b=2';
    assert.equal(readCookie(header, '__Host-x'), 'v.a_l-ue');
    assert.equal(readCookie(header, 'b'), '2');
  });

  it('takes the first of two cookies with one name', () => {
    assert.equal(readCookie('x=first; x=second', 'x'), 'first');
  });

  it('answers undefined for no header, no cookie or an empty value', () => {
    assert.equal(readCookie(undefined, 'x'), undefined);
    assert.equal(readCookie('y=1', 'x'), undefined);
    assert.equal(readCookie('x=', 'x'), undefined);
    assert.equal(readCookie('xx=1; x', 'x'), undefined);
  });

  it('does not read a header longer than any of ours could make', () => {
    assert.equal(readCookie(`x=1; pad=${'a'.repeat(20_000)}`, 'x'), undefined);
  });
});
