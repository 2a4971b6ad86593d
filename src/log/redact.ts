// Removes secrets from anything about to be logged: fields with sensitive
// names at any depth, raw bytes, and bearer tokens inside text.
import { KeyObject } from 'node:crypto';

/** REDACTED replaces the value of every sensitive field. */
export const REDACTED = '[REDACTED]';

// A field is sensitive when its name, or the last word of its name, is one
// of these: "password", "old_password", "newPassword" and "X-Api-Key" all
// are, "key_id" and "token_count" are not.
const SENSITIVE_WORDS = new Set([
  'authorization',
  'cookie',
  'key',
  'passphrase',
  'password',
  'passwords',
  'plaintext',
  'secret',
  'secrets',
  'token',
  'tokens',
]);
const SENSITIVE_NAMES = new Set(['totp', 'totp_code', 'set_cookie']);

const MAX_DEPTH = 8;
const BEARER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi;

// Field names repeat on every line, so each is judged once. The bound
// keeps a stream of odd names from growing the map.
const judged = new Map<string, boolean>();
const MAX_JUDGED = 1024;

/** isSensitiveField tells whether a field of this name is never logged. */
export function isSensitiveField(name: string): boolean {
  const known = judged.get(name);
  if (known !== undefined) return known;
  const sensitive = judgeField(name);
  if (judged.size < MAX_JUDGED) judged.set(name, sensitive);
  return sensitive;
}

function judgeField(name: string): boolean {
  const snake = name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/-/g, '_')
    .toLowerCase();
  if (SENSITIVE_NAMES.has(snake)) return true;
  const words = snake.split('_');
  return SENSITIVE_WORDS.has(words[words.length - 1] ?? '');
}

/** redactText hides credentials that appear inside free text. */
export function redactText(text: string): string {
  return text.replace(BEARER, `$1 ${REDACTED}`);
}

/**
 * redactField returns what may be logged of the field name holding
 * value: REDACTED for a sensitive name, else the value redacted.
 */
export function redactField(name: string, value: unknown): unknown {
  return isSensitiveField(name) ? REDACTED : redact(value);
}

/**
 * redact returns a copy of value that is safe to log. Sensitive fields
 * become REDACTED, bytes and key objects become a placeholder that tells
 * only their size, errors keep name, code, message and stack, and cycles
 * or nesting past MAX_DEPTH are cut off.
 */
export function redact(value: unknown): unknown {
  return copy(value, 0, new WeakSet());
}

function copy(value: unknown, depth: number, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return redactText(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value !== 'object' || value === null) return value;

  if (value instanceof Uint8Array) return `[bytes ${value.length}]`;
  if (value instanceof ArrayBuffer) return `[bytes ${value.byteLength}]`;
  if (value instanceof KeyObject) return '[key object]';
  if (value instanceof Date) return value.toISOString();
  if (seen.has(value)) return '[circular]';
  if (depth >= MAX_DEPTH) return '[too deep]';
  seen.add(value);

  try {
    if (Array.isArray(value)) {
      return value.map((item: unknown) => copy(item, depth + 1, seen));
    }
    if (value instanceof Error) return copyError(value, depth, seen);
    const out: Record<string, unknown> = {};
    for (const [name, field] of Object.entries(value)) {
      out[name] = isSensitiveField(name)
        ? REDACTED
        : copy(field, depth + 1, seen);
    }
    return out;
  } finally {
    // Siblings may share an object without it being a cycle.
    seen.delete(value);
  }
}

function copyError(
  err: Error,
  depth: number,
  seen: WeakSet<object>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {
    name: err.name,
    message: redactText(err.message),
  };
  const code = (err as { code?: unknown }).code;
  if (code !== undefined) out.code = copy(code, depth + 1, seen);
  if (err.stack !== undefined) out.stack = redactText(err.stack);
  if (err.cause !== undefined) out.cause = copy(err.cause, depth + 1, seen);
  return out;
}
