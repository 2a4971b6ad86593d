// Checks input against a zod schema, with an error that names the field
// in the words an API user expects.
import type { z } from 'zod';

import { MetacryptError } from './metacrypt-error.js';

/**
 * parseInput returns value as schema reads it, or throws `bad_request`
 * naming the first bad field: `name: is required`, `data.text: must be a
 * string`, `unknown field config.shade`. what names the value, as in
 * describeIssue.
 */
export function parseInput<S extends z.ZodType>(
  schema: S,
  value: unknown,
  what: string,
): z.output<S> {
  // reportInput lets an issue tell a missing field from a wrong one; the
  // input itself never goes into a message.
  const result = schema.safeParse(value, { reportInput: true });
  if (result.success) return result.data;
  throw new MetacryptError('bad_request', describeIssue(result.error, what));
}

/**
 * parseBody is parseInput for a whole request body. A missing body reads
 * as `{}`; a body of `null` is a body, and not an object.
 */
export function parseBody<S extends z.ZodType>(
  schema: S,
  body: unknown,
): z.output<S> {
  return parseInput(schema, body === undefined ? {} : body, 'body');
}

/**
 * describeIssue words the first issue of a failed parse. what names the
 * value checked: fields of a request body are named bare (`password`),
 * fields inside a nested value carry its name (`data.name`).
 */
export function describeIssue(error: z.ZodError, what: string): string {
  const issue = error.issues[0];
  if (issue === undefined) return `${what}: invalid`;
  const prefix = what === 'body' ? [] : [what];
  const field = fieldName([...prefix, ...issue.path]) || what;
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? '';
    return `unknown field ${fieldName([...prefix, ...issue.path, key])}`;
  }
  if (issue.code === 'invalid_type') {
    if (issue.input === undefined) return `${field}: is required`;
    // A record is what JSON calls an object.
    const expected = issue.expected === 'record' ? 'object' : issue.expected;
    return issue.path.length === 0
      ? `${what}: must be a JSON ${expected}`
      : `${field}: must be ${article(expected)}`;
  }
  return `${field}: ${issue.message}`;
}

function fieldName(path: readonly PropertyKey[]): string {
  let name = '';
  for (const part of path) {
    if (typeof part === 'number') name += `[${String(part)}]`;
    else name += name === '' ? String(part) : `.${String(part)}`;
  }
  return name;
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}
