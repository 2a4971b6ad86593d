// The check every reply passes before it leaves the key worker: plain data
// only, so no KeyObject or CryptoKey can ride along by accident.

/**
 * assertPlainData throws unless value is built only from strings, finite
 * numbers, booleans, null, arrays, plain objects and Uint8Arrays.
 *
 * Structured clone carries a KeyObject or a CryptoKey across postMessage
 * intact, extractable or not, so the worker cannot rely on the transport
 * to drop them. Anything that is not plain data is refused here, before
 * it is posted. Byte arrays are allowed because values and ciphertexts are
 * bytes; that none of them holds a key is the job of the code that builds
 * replies, and of the test that spies on the port.
 */
export function assertPlainData(value: unknown, where = 'reply'): void {
  check(value, where, new Set<object>());
}

function check(value: unknown, where: string, path: Set<object>): void {
  if (value === null || typeof value === 'string') return;
  if (typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw refuse(where, 'a non-finite number');
    return;
  }
  if (typeof value !== 'object') {
    throw refuse(where, `a ${typeof value}`);
  }

  // Only a loop back to an ancestor is a cycle; the same object reached
  // twice by two routes is copied twice by structured clone and is fine.
  if (path.has(value)) throw refuse(where, 'a cycle');
  path.add(value);
  try {
    checkObject(value, where, path);
  } finally {
    path.delete(value);
  }
}

function checkObject(value: object, where: string, path: Set<object>): void {
  if (value instanceof Uint8Array) {
    // Buffer is a Uint8Array subclass from Node itself; other subclasses
    // could carry anything in their own fields.
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto === Uint8Array.prototype || proto === Buffer.prototype) return;
    throw refuse(where, 'a Uint8Array subclass');
  }

  if (Array.isArray(value)) {
    // Structured clone also copies an array's own non-index properties,
    // so they are checked as well as the elements.
    for (const key of Object.keys(value)) {
      const item: unknown = (value as unknown as Record<string, unknown>)[key];
      const index = /^(0|[1-9][0-9]*)$/.test(key);
      check(item, index ? `${where}[${key}]` : `${where}.${key}`, path);
    }
    return;
  }

  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    throw refuse(where, `an object of type ${typeName(value)}`);
  }
  for (const [key, item] of Object.entries(value)) {
    check(item, `${where}.${key}`, path);
  }
}

function typeName(value: object): string {
  const ctor: unknown = (value as { constructor?: unknown }).constructor;
  return typeof ctor === 'function' && ctor.name !== '' ? ctor.name : 'unknown';
}

function refuse(where: string, what: string): TypeError {
  return new TypeError(`key worker: ${where} is ${what}, not plain data`);
}
