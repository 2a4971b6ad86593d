// Body fields for the bad-input fuzz: for each kind of field the values
// its schema takes and the ones it refuses, and objects of fields with at
// least one defect (a wrong type, a bad value, a missing or an unknown
// field).
import fc from 'fast-check';
import type { Arbitrary } from 'fast-check';

import { hostileString, notA } from './fuzz-values.js';
import type { JsonKind } from './fuzz-values.js';

/** Field is one field of a body as the fuzz sees it. */
export interface Field {
  /** Values the field's schema accepts. */
  readonly valid: Arbitrary<unknown>;
  /** Values it refuses: a wrong type, or the right type out of bounds. */
  readonly bad: Arbitrary<unknown>;
  readonly required?: boolean;
}

/** Fields are a body's fields by name. */
export type Fields = Readonly<Record<string, Field>>;

/** Defective is a value with at least one defect, and what it is. */
export interface Defective {
  readonly value: unknown;
  readonly defect: string;
}

/** StringRule bounds a string field. */
export interface StringRule {
  readonly min?: number;
  readonly max: number;
  readonly pattern?: RegExp;
  readonly valid?: Arbitrary<string>;
  readonly required?: boolean;
}

/** stringField is a string within rule, refused outside it. */
export function stringField(rule: StringRule): Field {
  const min = rule.min ?? 1;
  const { pattern } = rule;
  const bad: Arbitrary<unknown>[] = [
    notA('string'),
    fc.integer({ min: 1, max: 40 }).map((n) => 'x'.repeat(rule.max + n)),
  ];
  if (min > 0) bad.push(fc.constant(''));
  if (pattern !== undefined) {
    bad.push(hostileString().filter((text) => !pattern.test(text)));
  }
  const valid =
    rule.valid ??
    (pattern === undefined
      ? fc.string({ minLength: min, maxLength: Math.min(rule.max, 24) })
      : fc.stringMatching(pattern));
  return { valid, bad: fc.oneof(...bad), required: rule.required ?? false };
}

/** intField is a whole number from min to max. */
export function intField(min: number, max = min + 5, required = false): Field {
  return {
    valid: fc.integer({ min, max }),
    bad: fc.oneof(
      notA('integer'),
      fc.integer({ min: min - 1000, max: min - 1 }),
      fc
        .double({ noNaN: true, noDefaultInfinity: true })
        .filter((n) => !Number.isSafeInteger(n)),
      fc.constantFrom(2 ** 53 + 2, 2 ** 64),
    ),
    required,
  };
}

/** boolField is true or false. */
export function boolField(): Field {
  return { valid: fc.boolean(), bad: notA('boolean') };
}

/** enumField is one of values. */
export function enumField(
  values: readonly (string | number)[],
  required = false,
): Field {
  const kind: JsonKind = typeof values[0] === 'number' ? 'integer' : 'string';
  const others = fc
    .oneof(
      hostileString(16),
      fc.constantFrom(...values).map((v) => String(v).toUpperCase()),
      fc.constantFrom(...values).map((v) => ` ${String(v)}`),
      fc.integer(),
    )
    .filter((v) => !values.includes(v));
  return {
    valid: fc.constantFrom(...values),
    bad: fc.oneof(notA(kind), others),
    required,
  };
}

/** listField is a list of up to max items. */
export function listField(item: Field, max: number, filler: unknown): Field {
  return {
    valid: fc.array(item.valid, { maxLength: 3 }),
    bad: fc.oneof(
      notA('array'),
      fc
        .tuple(fc.array(item.valid, { maxLength: 2 }), item.bad)
        .map(([items, bad]) => [...items, bad]),
      fc.constant(Array.from({ length: max + 1 }, () => filler)),
    ),
  };
}

/** batchField is a `batch_input` list of 1 to a few items. */
export function batchField(item: Fields): Field {
  return {
    valid: fc.array(validObject(item), { minLength: 1, maxLength: 3 }),
    bad: fc.oneof(
      notA('array'),
      fc.constant([]),
      defectiveObject(item).map(({ value }) => [value]),
      fc.jsonValue({ maxDepth: 1 }).map((value) => [value]),
    ),
  };
}

/** validObject is an object every field of which is valid. */
export function validObject(
  fields: Fields,
): Arbitrary<Record<string, unknown>> {
  const model: Record<string, Arbitrary<unknown>> = {};
  for (const [name, field] of Object.entries(fields)) model[name] = field.valid;
  const requiredKeys = Object.entries(fields)
    .filter(([, field]) => field.required === true)
    .map(([name]) => name);
  return fc.record(model, { requiredKeys });
}

// Keys an object must not be given, and keys a careless parser mishandles.
const SPECIAL_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  '',
  ' ',
  'name ',
  'NAME',
  'Password',
  'password\u0000',
  'data',
  'token',
];

type Defect =
  | { readonly kind: 'missing'; readonly field: string }
  | { readonly kind: 'bad'; readonly field: string; readonly value: unknown }
  | { readonly kind: 'extra'; readonly field: string; readonly value: unknown };

// Sets a key as an own property, `__proto__` included.
function put(
  target: Record<string, unknown>,
  key: string,
  value: unknown,
): void {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

/**
 * defectiveObject is an object of fields with one to three defects: a
 * field missing that the schema requires, a field with a bad value, or a
 * field the schema does not know (never one of `taken`). Missing fields
 * are applied first, so a later defect cannot undo an earlier one.
 */
export function defectiveObject(
  fields: Fields,
  taken: readonly string[] = [],
): Arbitrary<Defective> {
  const names = Object.keys(fields);
  const known = new Set([...names, ...taken]);
  const required = names.filter((name) => fields[name]?.required === true);
  const defects: Arbitrary<Defect>[] = [
    fc
      .tuple(
        fc.oneof(fc.constantFrom(...SPECIAL_KEYS), hostileString(20)),
        fc.jsonValue({ maxDepth: 2 }),
      )
      .filter(([field]) => !known.has(field))
      .map(([field, value]) => ({ kind: 'extra', field, value })),
  ];
  if (names.length > 0) {
    defects.push(
      fc.constantFrom(...names).chain((field) =>
        (fields[field]?.bad ?? fc.constant(null)).map((value): Defect => ({
          kind: 'bad',
          field,
          value,
        })),
      ),
    );
  }
  if (required.length > 0) {
    defects.push(
      fc.constantFrom(...required).map((field) => ({ kind: 'missing', field })),
    );
  }
  return fc
    .tuple(
      validObject(fields),
      fc.array(fc.oneof(...defects), { minLength: 1, maxLength: 3 }),
    )
    .map(([base, chosen]) => {
      const value: Record<string, unknown> = { ...base };
      const ordered = [...chosen].sort(
        (a, b) => Number(b.kind === 'missing') - Number(a.kind === 'missing'),
      );
      for (const defect of ordered) {
        if (defect.kind === 'missing')
          Reflect.deleteProperty(value, defect.field);
        else put(value, defect.field, defect.value);
      }
      const defect = ordered
        .map((d) => `${d.kind} ${JSON.stringify(d.field)}`)
        .join(', ');
      return { value, defect };
    });
}
