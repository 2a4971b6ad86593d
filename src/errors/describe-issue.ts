// Checks input against a zod schema, with an error that names the field
// in the words an API user expects.
import type { z } from 'zod';

import { MetacryptError } from './metacrypt-error.js';

/**
 * parseBody returns body as schema reads it, or throws `bad_request`
 * naming the first bad field: `name: is required`, `config.x: must be a
 * string`, `unknown field colour`.
 */
export function parseBody<S extends z.ZodType>(
  schema: S,
  body: unknown,
  what = 'body',
): z.output<S> {
  const result = schema.safeParse(body ?? {});
  if (result.success) return result.data;
  throw new MetacryptError('bad_request', describeIssue(result.error, what));
}

/** describeIssue words the first issue of a failed parse. */
export function describeIssue(error: z.ZodError, what: string): string {
  const issue = error.issues[0];
  if (issue === undefined) return `${what}: invalid`;
  const field = fieldName(issue.path, what);
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? '';
    return `unknown field ${field === what ? key : `${field}.${key}`}`;
  }
  if (issue.code === 'invalid_type') {
    if (issue.input === undefined) return `${field}: is required`;
    return field === what
      ? `${what}: must be a JSON ${issue.expected}`
      : `${field}: must be ${article(issue.expected)}`;
  }
  return `${field}: ${issue.message}`;
}

function fieldName(path: readonly PropertyKey[], what: string): string {
  if (path.length === 0) return what;
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
