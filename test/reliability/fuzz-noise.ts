// The parts of a fuzzed request around its body: path segments of any
// text (and ones Express cannot decode), query strings and extra headers
// that must change nothing.
import fc from 'fast-check';
import type { Arbitrary } from 'fast-check';

import { latin1Text } from './fuzz-credentials.js';
import { hostileString } from './fuzz-values.js';

const UNRESERVED = /^[A-Za-z0-9\-._~]$/;

/** encodeSegment percent-encodes text as UTF-8, lone surrogates as U+FFFD. */
export function encodeSegment(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const char = String.fromCharCode(byte);
    out += UNRESERVED.test(char)
      ? char
      : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/**
 * undecodable is a path segment that decodeURIComponent refuses: a cut
 * or non-hex escape, or escapes of bytes that are not UTF-8. Express
 * answers 400 before any guard runs.
 */
export const undecodable: Arbitrary<string> = fc
  .tuple(
    fc.stringMatching(/^[a-z0-9-]{0,8}$/),
    fc.constantFrom('%', '%zz', '%E0%A4', '%FF', '%C0%AF', '%ED%A0%80', '%0'),
    fc.stringMatching(/^[a-z0-9-]{0,8}$/),
  )
  .map(([before, escape, after]) => before + escape + after)
  // Shrinking may join `%0` and `a` into a valid escape.
  .filter((segment) => {
    try {
      decodeURIComponent(segment);
      return false;
    } catch {
      return true;
    }
  });

/** absentName is a name of the mount and id rules that nothing has. */
export const absentName: Arbitrary<string> = fc
  .stringMatching(/^[a-z0-9]{1,16}$/)
  .map((suffix) => `absent-${suffix}`);

/**
 * sometimes is arbitrary one time in n and null the others (fc.option's
 * `freq` is the other way round: null one time in freq).
 */
export function sometimes<T>(
  arbitrary: Arbitrary<T>,
  n: number,
): Arbitrary<T | null> {
  return fc.oneof(
    { arbitrary: fc.constant(null), weight: n - 1 },
    { arbitrary, weight: 1 },
  );
}

/** query is a query string of hostile text, which no endpoint reads. */
export const query: Arbitrary<string> = fc
  .tuple(hostileString(16, false), hostileString(16, false))
  .map(([name, value]) => `?${encodeSegment(name)}=${encodeSegment(value)}`);

// Headers the API does not act on, with values that might trip a
// careless logger or proxy-aware middleware.
const NOISE_NAMES = [
  'x-request-id',
  'accept',
  'accept-language',
  'user-agent',
  'x-forwarded-for',
  'x-forwarded-proto',
  'x-http-method-override',
  'origin',
  'referer',
  'cookie',
  'if-none-match',
  'range',
];

/** noiseHeaders are zero to three extra headers with latin1 values. */
export const noiseHeaders: Arbitrary<Record<string, string>> = fc
  .uniqueArray(
    fc.tuple(
      fc.oneof(
        fc.constantFrom(...NOISE_NAMES),
        fc.stringMatching(/^x-[a-z0-9-]{1,20}$/),
      ),
      latin1Text(80),
    ),
    { maxLength: 3, selector: ([name]) => name },
  )
  .map((pairs) => Object.fromEntries(pairs));
