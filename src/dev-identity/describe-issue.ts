// Turns a zod issue into a short sentence naming the field, without
// quoting the value, for users-file errors and 400 replies alike.
import type { z } from 'zod';

/**
 * describeIssue names the field an issue is about (`users[1].roles`) and
 * what is wrong with it. input is the value that was validated, used to
 * tell a missing field from one of the wrong type.
 */
export function describeIssue(issue: z.core.$ZodIssue, input: unknown): string {
  const path = fieldPath(issue.path);

  if (issue.code === 'unrecognized_keys') {
    const where = path === '' ? '' : `${path}.`;
    return issue.keys.map((key) => `unknown field ${where}${key}`).join(', ');
  }
  if (issue.code === 'invalid_type') {
    if (valueAt(input, issue.path) === undefined) return `${path} is required`;
    const expected = issue.expected === 'array' ? 'list' : issue.expected;
    return `${path} must be a ${expected}`;
  }
  return `${path} ${issue.message}`;
}

/** fieldPath writes an issue path as `users[1].password_hash`. */
export function fieldPath(path: readonly PropertyKey[]): string {
  return path
    .map((part) =>
      typeof part === 'number' ? `[${part}]` : `.${String(part)}`,
    )
    .join('')
    .replace(/^\./, '');
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let value = root;
  for (const segment of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[segment];
  }
  return value;
}
