// JSON value types: what crosses the API and the key worker boundary for
// engine requests, mount configurations and replies.

/** JsonValue is any value JSON.parse can return. */
export type JsonValue =
  string | number | boolean | null | JsonValue[] | JsonObject;

/**
 * JsonObject is a JSON object. An interface rather than a Record: a type
 * alias may not refer to itself through Record.
 */
export interface JsonObject {
  [key: string]: JsonValue;
}

/** isJsonObject tells a plain JSON object from arrays and scalars. */
export function isJsonObject(value: unknown): value is JsonObject {
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
