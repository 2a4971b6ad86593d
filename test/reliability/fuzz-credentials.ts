// Authorization headers for the bad-input fuzz: the real tokens of admin
// and alice in odd but valid spellings, and everything that must be
// refused: no header, junk, huge or non-ASCII tokens, real tokens
// altered, and two headers at once.
import fc from 'fast-check';
import type { Arbitrary } from 'fast-check';

import type { Access, Credential, Mangle, Who } from './fuzz-case.js';

/**
 * latin1Text is text Node's client will put in a header: tab, printable
 * ASCII and the upper half of latin1, sent as single bytes.
 */
export function latin1Text(maxLength: number): Arbitrary<string> {
  return fc.string({
    unit: fc
      .oneof(
        fc.integer({ min: 0x20, max: 0x7e }),
        fc.integer({ min: 0xa0, max: 0xff }),
        fc.constant(0x09),
      )
      .map((code) => String.fromCharCode(code)),
    maxLength,
  });
}

// RFC 6750's b64token: what passes the server's syntax check and must
// then be refused by MCIAS.
const b64token = fc.stringMatching(/^[A-Za-z0-9._~+/-]{1,200}=*$/);

// Over the 8192-character limit, and under Node's 16 KiB for a whole
// request head even with the other headers.
const huge = fc
  .integer({ min: 8193, max: 12_000 })
  .map((n) => `Bearer ${'A'.repeat(n)}`);

const junkValues = fc.oneof(
  fc.constantFrom(
    '',
    'Bearer',
    'Bearer ',
    'bearer\t',
    'Bearer\tabc',
    'Basic YWxpY2U6eA==',
    'Token abc',
    'Negotiate abc',
    'Bearer a b',
    'Bearer a,Bearer b',
    'Bearer =',
    'Bearer ==abc',
    'Bearer "abc"',
  ),
  b64token.map((token) => `Bearer ${token}`),
  latin1Text(60).map((text) => `Bearer ${text}`),
  latin1Text(60),
);

const junk: Arbitrary<Credential> = fc
  .oneof({ arbitrary: junkValues, weight: 5 }, { arbitrary: huge, weight: 1 })
  .map((value) => ({ kind: 'junk', value }));

// Junk of ordinary size, for the second of two headers.
const smallJunk: Arbitrary<Credential> = junkValues.map((value) => ({
  kind: 'junk',
  value,
}));

const who: Arbitrary<Who> = fc.constantFrom('admin', 'alice');

const valid: Arbitrary<Credential> = fc.record({
  kind: fc.constant('valid'),
  who,
  scheme: fc.mixedCase(fc.constant('bearer')),
  spaces: fc.integer({ min: 1, max: 3 }),
  trailing: fc.integer({ min: 0, max: 2 }),
});

const mangled: Arbitrary<Credential> = fc.record({
  kind: fc.constant('mangled'),
  who,
  how: fc.constantFrom<Mangle>('append', 'drop', 'flip', 'prefix', 'double'),
  at: fc.nat(),
});

// Two headers, each of which is sent (`none` would send only one), of
// ordinary size: two huge ones would pass Node's limit for a head.
const twice: Arbitrary<Credential> = fc.record({
  kind: fc.constant('twice'),
  first: fc.oneof(valid, smallJunk, mangled),
  second: fc.oneof(valid, smallJunk, mangled),
});

const refused: Arbitrary<Credential> = fc.oneof(
  { arbitrary: fc.constant({ kind: 'none' }), weight: 1 },
  { arbitrary: junk, weight: 3 },
  { arbitrary: mangled, weight: 2 },
  { arbitrary: twice, weight: 2 },
);

/** anyCredential is valid most of the time, so bodies get looked at. */
export const anyCredential: Arbitrary<Credential> = fc.oneof(
  { arbitrary: valid, weight: 3 },
  { arbitrary: refused, weight: 1 },
);

/**
 * refusedCredential is a credential the endpoint must refuse, for those
 * that read no body: for admin endpoints, alice's valid token too.
 */
export function refusedCredential(access: Access): Arbitrary<Credential> {
  if (access !== 'admin') return refused;
  const alice: Arbitrary<Credential> = valid.map((credential) => ({
    ...credential,
    who: 'alice',
  }));
  return fc.oneof(refused, alice);
}

// Characters a mangled token may be given: all in the b64token set, so
// the token still passes the syntax check and MCIAS must refuse it.
const SWAP = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

function mangle(token: string, how: Mangle, at: number): string {
  switch (how) {
    case 'append':
      return `${token}A`;
    case 'drop':
      return token.slice(0, -1);
    case 'prefix':
      return `x${token}`;
    case 'double':
      return token + token;
    case 'flip': {
      // Within the signed part, so the signature no longer matches.
      const end = token.includes('.') ? token.lastIndexOf('.') : token.length;
      const index = at % Math.max(1, end);
      const old = token.charAt(index);
      const next = SWAP.charAt(
        (SWAP.indexOf(old) + 1 + (at % 7)) % SWAP.length,
      );
      return token.slice(0, index) + next + token.slice(index + 1);
    }
  }
}

/** authorizationOf is the Authorization header lines a credential sends. */
export function authorizationOf(
  credential: Credential,
  tokens: Readonly<Record<Who, string>>,
): string[] {
  switch (credential.kind) {
    case 'none':
      return [];
    case 'valid':
      return [
        credential.scheme +
          ' '.repeat(credential.spaces) +
          tokens[credential.who] +
          ' '.repeat(credential.trailing),
      ];
    case 'junk':
      return [credential.value];
    case 'mangled':
      return [
        `Bearer ${mangle(tokens[credential.who], credential.how, credential.at)}`,
      ];
    case 'twice':
      return [
        ...authorizationOf(credential.first, tokens),
        ...authorizationOf(credential.second, tokens),
      ];
  }
}
