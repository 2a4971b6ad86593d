// Body texts for the bad-input fuzz that no route should ever see: text
// that is not JSON, JSON with bytes that are not UTF-8, JSON nested too
// deep, and JSON that is not an object.
import fc from 'fast-check';
import type { Arbitrary } from 'fast-check';

import { hostileString } from './fuzz-values.js';

function parses(text: string): boolean {
  try {
    JSON.parse(Buffer.from(text, 'utf8').toString('utf8'));
    return true;
  } catch {
    return false;
  }
}

/**
 * malformedJson is a non-empty text that JSON.parse refuses: valid JSON
 * cut short or with garbage after it, JavaScript that is not JSON
 * (single quotes, NaN, comments, trailing commas, hex), a raw control
 * character in a string, a leading byte order mark, or hostile text.
 */
export const malformedJson: Arbitrary<string> = fc
  .oneof(
    fc
      .tuple(fc.json({ maxDepth: 3 }), fc.nat())
      .map(([text, at]) => text.slice(0, at % Math.max(1, text.length))),
    fc
      .tuple(fc.json({ maxDepth: 3 }), fc.constantFrom('}', ']', ',', 'x', '{'))
      .map(([text, tail]) => text + tail),
    fc.constantFrom(
      "{'password':'x'}",
      '{"password":NaN}',
      '{"password":undefined}',
      '{"password":"x" /* c */}',
      '{"password":"x",}',
      '{"n":0x10}',
      '{"n":01}',
      '{"n":+1}',
      '{"n":.5}',
      '{"password":"a\u0001b"}',
      '{"password":"\\x41"}',
      '\ufeff{}',
      '{"a":1}{"b":2}',
      '{"a" 1}',
      '{a:1}',
    ),
    hostileString(),
  )
  .filter((text) => text.trim() !== '' && !parses(text));

// Byte sequences no UTF-8 decoder may accept: stray continuation and
// never-valid bytes, an overlong slash, an encoded surrogate, a cut-off
// three-byte sequence and a code point past U+10FFFF.
const INVALID_UTF8: readonly (readonly number[])[] = [
  [0x80],
  [0xff],
  [0xfe, 0xff],
  [0xc0, 0xaf],
  [0xed, 0xa0, 0x80],
  [0xe2, 0x82],
  [0xf4, 0x90, 0x80, 0x80],
];

/**
 * nonUtf8Json is a JSON text with bytes that are not UTF-8 put inside one
 * of its strings, or anywhere: a decoder that replaces them with U+FFFD
 * would read a different, valid body.
 */
export const nonUtf8Json: Arbitrary<Uint8Array> = fc
  .tuple(
    fc.constantFrom(
      '{"password":"abcdefghijklmnop"}',
      '{"name":"fuzz-aes","plaintext":""}',
      '{"username":"alice","password":"x"}',
      '{"id":"r1","priority":1,"effect":"deny"}',
    ),
    fc.constantFrom(...INVALID_UTF8),
    fc.nat(),
    fc.boolean(),
  )
  .map(([text, bad, at, inString]) => {
    const bytes = Buffer.from(text, 'utf8');
    const quote = bytes.lastIndexOf(0x22);
    const cut = inString ? quote : at % (bytes.length + 1);
    return Buffer.concat([
      bytes.subarray(0, cut),
      Buffer.from(bad),
      bytes.subarray(cut),
    ]);
  });

/**
 * deepJson is a JSON text whose value nests deeper than limit levels, as a
 * field of an object or bare: arrays, objects, or both in turn.
 */
export function deepJson(limit: number, maxBytes: number): Arbitrary<string> {
  const maxDepth = Math.max(limit + 1, Math.floor(maxBytes / 6));
  return fc
    .tuple(
      fc.integer({ min: limit + 1, max: maxDepth }),
      fc.constantFrom('array', 'object', 'mixed'),
      fc.boolean(),
    )
    .map(([depth, shape, wrapped]) => {
      let open = '';
      let close = '';
      for (let level = 0; level < depth; level++) {
        const array =
          shape === 'array' || (shape === 'mixed' && level % 2 === 0);
        open += array ? '[' : '{"a":';
        close = (array ? ']' : '}') + close;
      }
      const nested = `${open}1${close}`;
      return wrapped ? `{"password":${nested}}` : nested;
    });
}

/** notAnObject is a JSON text of a value other than an object: null too. */
export const notAnObject: Arbitrary<string> = fc
  .jsonValue({ maxDepth: 3 })
  .filter(
    (value) =>
      value === null || typeof value !== 'object' || Array.isArray(value),
  )
  .map((value) => JSON.stringify(value));
