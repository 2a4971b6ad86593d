// Hostile values for the bad-input fuzz: unicode-heavy strings, values of
// every wrong JSON type, bad base64, and transit values that must not
// open or cannot even be read.
import fc from 'fast-check';
import type { Arbitrary, JsonValue } from 'fast-check';

import {
  isBase64,
  parseValue,
} from '../../src/engines/transit/value-format.js';
import type { ValueKind } from '../../src/engines/transit/value-format.js';

// Characters that break naive handling: NUL and other controls, lone
// surrogates, bidi overrides and marks, zero-width joiners, combining
// marks, a byte order mark, line separators, astral emoji and sequences,
// letters that change length under case mapping, and the characters of
// quoting, escaping and paths.
const AWKWARD = [
  '\u0000',
  '\u0007',
  '\u001b',
  '\u007f',
  '\u0085',
  '\ud800',
  '\udbff',
  '\udc00',
  '\udfff',
  '\u202e',
  '\u200f',
  '\u2066',
  '\u200b',
  '\u200d',
  '\u0301',
  '\ufeff',
  '\ufffd',
  '\u2028',
  '\u2029',
  '\uffff',
  '\u{1f600}',
  '\u{1f469}\u200d\u{1f469}\u200d\u{1f467}',
  '\u{1f3f3}\ufe0f\u200d\u{1f308}',
  '\u0130',
  '\u00df',
  '\ufb03',
  '\u01c5',
  '"',
  '\\',
  '/',
  '%',
  '%00',
  '..',
  '<script>',
  "'",
  '`',
  '${x}',
  '\n',
  '\r\n',
  '\t',
  ' ',
];

/** awkwardChar is one character (or short sequence) from AWKWARD. */
export const awkwardChar: Arbitrary<string> = fc.constantFrom(...AWKWARD);

// Any UTF-16 code unit, surrogate halves included.
const codeUnit = fc
  .integer({ min: 0, max: 0xffff })
  .map((unit) => String.fromCharCode(unit));

/**
 * hostileString is a string built to break parsers and validators: awkward
 * characters mixed with any code unit, any code point, composed graphemes,
 * or (when long) one awkward character repeated hundreds of times.
 */
export function hostileString(maxLength = 48, long = true): Arbitrary<string> {
  const short = [
    {
      arbitrary: fc.string({
        unit: fc.oneof(awkwardChar, codeUnit),
        maxLength,
      }),
      weight: 4,
    },
    { arbitrary: fc.string({ unit: 'binary', maxLength }), weight: 2 },
    {
      arbitrary: fc.string({ unit: 'grapheme-composite', maxLength }),
      weight: 1,
    },
  ];
  if (!long) return fc.oneof(...short);
  return fc.oneof(...short, {
    arbitrary: fc
      .tuple(awkwardChar, fc.integer({ min: 200, max: 2000 }))
      .map(([char, times]) => char.repeat(times)),
    weight: 1,
  });
}

/** JsonKind names the JSON type a schema field takes. */
export type JsonKind = 'string' | 'integer' | 'boolean' | 'array' | 'object';

function kindsOf(value: unknown): JsonKind[] {
  if (typeof value === 'string') return ['string'];
  if (typeof value === 'boolean') return ['boolean'];
  if (typeof value === 'number')
    return Number.isInteger(value) ? ['integer'] : [];
  if (Array.isArray(value)) return ['array'];
  if (value !== null && typeof value === 'object') return ['object'];
  return [];
}

// Values that look close to the right type: numbers as strings, booleans
// as numbers, a query-operator object, empty containers.
const LOOKALIKES: JsonValue[] = [
  null,
  0,
  1,
  -1,
  1.5,
  1e300,
  // Past 2^53: JSON carries it, but no safe integer reads it back.
  2 ** 53 + 2,
  true,
  false,
  '',
  '1',
  'true',
  'null',
  [],
  {},
  [null],
  ['x'],
  { $ne: null },
];

/** notA is a JSON value of any type but kind. */
export function notA(kind: JsonKind): Arbitrary<JsonValue> {
  return fc
    .oneof(fc.constantFrom(...LOOKALIKES), fc.jsonValue({ maxDepth: 3 }))
    .filter((value) => !kindsOf(value).includes(kind));
}

/** validBase64 is standard padded base64 of up to 48 random bytes. */
export const validBase64: Arbitrary<string> = fc
  .uint8Array({ maxLength: 48 })
  .map((bytes) => Buffer.from(bytes).toString('base64'));

/**
 * badBase64 is a string the base64 fields refuse: hostile text, or base64
 * with its padding dropped, turned URL-safe, split by whitespace or
 * padded in the middle.
 */
export const badBase64: Arbitrary<string> = fc
  .oneof(
    hostileString(24),
    validBase64.map((text) => text.replace(/=+$/, '')),
    validBase64.map((text) => text.replace(/\+/g, '-').replace(/\//g, '_')),
    fc
      .tuple(validBase64, fc.constantFrom(' ', '\n', '\r\n', '\t', '='))
      .map(([text, cut]) => text.slice(0, 2) + cut + text.slice(2)),
  )
  .filter((text) => !isBase64(text));

function formatted(version: number, bytes: Uint8Array): string {
  return `metacrypt:v${String(version)}:${Buffer.from(bytes).toString('base64')}`;
}

/**
 * badValue is a transit value (`metacrypt:v<n>:<base64>`) that must not
 * open: derived from a genuine one by flipping a bit, cutting or lengthening
 * it, or changing its version; or random bytes in the right frame; or
 * hostile text around or instead of it. Nothing here can verify or
 * decrypt, since every byte change breaks the tag or signature.
 */
export function badValue(genuine: string): Arbitrary<string> {
  const { version, bytes } = parseValue(genuine, 'ciphertext');
  const index = fc.nat({ max: bytes.length - 1 });
  return fc
    .oneof(
      fc.tuple(index, fc.integer({ min: 0, max: 7 })).map(([at, bit]) => {
        const copy = Uint8Array.from(bytes);
        copy[at] = (copy[at] ?? 0) ^ (1 << bit);
        return formatted(version, copy);
      }),
      index.map((at) => formatted(version, bytes.subarray(0, at))),
      fc
        .uint8Array({ minLength: 1, maxLength: 16 })
        .map((extra) => formatted(version, Buffer.concat([bytes, extra]))),
      fc
        .integer({ min: version + 1, max: 999_999_999 })
        .map((other) => formatted(other, bytes)),
      fc
        .uint8Array({ maxLength: 96 })
        .map((random) => formatted(version, random)),
      fc
        .constantFrom(' ', '\n', '\u0000', '=')
        .map((extra) => `${genuine}${extra}`),
      fc
        .constantFrom('metacrypt:v0:', 'metacrypt:v01:', 'METACRYPT:v1:')
        .map((prefix) => prefix + genuine.slice(genuine.lastIndexOf(':') + 1)),
      badBase64.map((payload) => `metacrypt:v${String(version)}:${payload}`),
      hostileString(),
    )
    .filter((text) => text !== genuine);
}

/**
 * malformedValue is text that is not a transit value at all, as parseValue
 * reads one: it cannot even be tried as a signature or an HMAC.
 */
export function malformedValue(kind: ValueKind): Arbitrary<string> {
  return fc
    .oneof(
      hostileString(),
      badBase64.map((payload) => `metacrypt:v1:${payload}`),
      validBase64.map((payload) => `metacrypt:v0:${payload}`),
    )
    .filter((text) => {
      try {
        parseValue(text, kind);
        return false;
      } catch {
        return true;
      }
    });
}
