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
  const seen = new Set<object>();
  check(value, where, seen);
}

function check(value: unknown, where: string, seen: Set<object>): void {
  if (value === null || typeof value === 'string') return;
  if (typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw refuse(where, 'a non-finite number');
    return;
  }
  if (typeof value !== 'object') {
    throw refuse(where, `a ${typeof value}`);
  }

  // A cycle is not plain data, and walking one would never end.
  if (seen.has(value)) throw refuse(where, 'a cycle');
  seen.add(value);

  if (value instanceof Uint8Array) {
    // Buffer is a Uint8Array subclass from Node itself; other subclasses
    // could carry anything in their own fields.
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto === Uint8Array.prototype || proto === Buffer.prototype) return;
    throw refuse(where, 'a Uint8Array subclass');
  }

  if (Array.isArray(value)) {
    value.forEach((item: unknown, i) => {
      check(item, `${where}[${String(i)}]`, seen);
    });
    return;
  }

  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    throw refuse(where, `an object of type ${typeName(value)}`);
  }
  for (const [key, item] of Object.entries(value)) {
    check(item, `${where}.${key}`, seen);
  }
}

function typeName(value: object): string {
  const ctor: unknown = (value as { constructor?: unknown }).constructor;
  return typeof ctor === 'function' && ctor.name !== '' ? ctor.name : 'unknown';
}

function refuse(where: string, what: string): TypeError {
  return new TypeError(`key worker: ${where} is ${what}, not plain data`);
}
