// The text form of every value transit hands out: ciphertexts, signatures
// and HMACs all read `metacrypt:v<key version>:<base64>`, so the version
// that made a value travels with it.
import { MetacryptError } from '../../errors/index.js';
import type { ErrorCode } from '../../errors/index.js';

const PREFIX = 'metacrypt:v';
// Standard base64 with padding, nothing else: Node's decoder would skip
// stray characters silently, so a value is checked before it is decoded.
const BASE64 =
  /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const VALUE = /^metacrypt:v([1-9][0-9]{0,8}):(.*)$/s;

/** ValueKind names what a value is, for messages. */
export type ValueKind = 'ciphertext' | 'signature' | 'hmac';

/** ParsedValue is a value's key version and its decoded bytes. */
export interface ParsedValue {
  readonly version: number;
  readonly bytes: Buffer;
}

/** formatValue writes bytes made with key version as a transit value. */
export function formatValue(version: number, bytes: Uint8Array): string {
  return `${PREFIX}${String(version)}:${Buffer.from(bytes).toString('base64')}`;
}

/**
 * parseValue reads a transit value. A malformed ciphertext is
 * `invalid_ciphertext`; a malformed signature or HMAC is `bad_request`.
 * Messages never quote the value.
 */
export function parseValue(text: unknown, kind: ValueKind): ParsedValue {
  const code: ErrorCode =
    kind === 'ciphertext' ? 'invalid_ciphertext' : 'bad_request';
  const match = typeof text === 'string' ? VALUE.exec(text) : null;
  const [, version = '', payload = ''] = match ?? [];
  if (match === null) {
    throw new MetacryptError(
      code,
      `${kind}: not a metacrypt value (metacrypt:v<version>:<base64>)`,
    );
  }
  if (!BASE64.test(payload)) {
    throw new MetacryptError(
      code,
      `${kind}: the part after the version is not base64`,
    );
  }
  return { version: Number(version), bytes: Buffer.from(payload, 'base64') };
}

/** isBase64 tells whether text is standard, padded base64. */
export function isBase64(text: string): boolean {
  return BASE64.test(text);
}

/**
 * decodeBase64 decodes a field the main thread already checked; it checks
 * again, since the worker trusts no message's shape.
 */
export function decodeBase64(text: unknown, field: string): Buffer {
  if (typeof text !== 'string' || !BASE64.test(text)) {
    throw new MetacryptError('bad_request', `${field}: must be base64`);
  }
  return Buffer.from(text, 'base64');
}
