// Reading the token from an Authorization header, and refusing anything
// that is not a well-formed bearer credential.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { bearerToken, MAX_TOKEN_LENGTH } from '../../src/auth/index.js';
import { codeOf } from '../errors/thrown-error.js';

describe('bearerToken', () => {
  it('returns the token of a Bearer header, whatever the scheme case', () => {
    assert.equal(bearerToken('Bearer abc.DEF-_~+/='), 'abc.DEF-_~+/=');
    assert.equal(bearerToken('bearer abc'), 'abc');
    assert.equal(bearerToken('BEARER  abc '), 'abc');
    const longest = 'a'.repeat(MAX_TOKEN_LENGTH);
    assert.equal(bearerToken(`Bearer ${longest}`), longest);
  });

  it('refuses missing, empty, other-scheme and malformed headers', () => {
    const bad = [
      undefined,
      '',
      'Bearer',
      'Bearer ',
      'Basic YWxpY2U6cHc=',
      'Token abc',
      'Bearer abc def',
      'Bearer a"b',
      'Bearerabc',
      `Bearer ${'a'.repeat(MAX_TOKEN_LENGTH + 1)}`,
      `Bearer ${'a'.repeat(100_000)}`,
    ];
    for (const header of bad) {
      assert.equal(
        codeOf(() => bearerToken(header)),
        'unauthenticated',
      );
    }
  });
});
