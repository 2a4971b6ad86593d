// Transit's crypto operations in the key worker: encrypt, decrypt, rewrap
// and datakey for AEAD keys; sign and verify for key pairs; hmac and
// verify-hmac for HMAC keys. Plaintext is wiped once it is encoded.
import type { JsonObject, JsonValue } from '../../engine/json.js';
import { randomBytes, zeroize } from '../../crypto/index.js';
import { MetacryptError } from '../../errors/index.js';
import { openAead, sealAead } from './aead-seal.js';
import type { AeadTarget } from './aead-seal.js';
import { withBatch } from './batch-results.js';
import { optionalInt, optionalText, text } from './input-fields.js';
import { versionToMake, versionToOpen } from './key-versions.js';
import type { SignatureHash } from './key-type-names.js';
import { hmacOf, sameMac, signMessage, verifyMessage } from './sign-and-mac.js';
import type { SigningKey } from './sign-and-mac.js';
import type { TransitKeyring } from './transit-keyring.js';
import { decodeBase64, formatValue, parseValue } from './value-format.js';

/** CryptoOperation runs one crypto operation on a mount's keys. */
export type CryptoOperation = (
  keys: TransitKeyring,
  data: JsonObject,
) => JsonValue;

function aeadTarget(
  keys: TransitKeyring,
  name: string,
  version: number,
): AeadTarget {
  const meta = keys.meta(name);
  return {
    type: meta.type,
    keyName: name,
    version,
    key: keys.material(meta, version).secret,
  };
}

function signingKey(
  keys: TransitKeyring,
  name: string,
  version: number,
): SigningKey {
  const meta = keys.meta(name);
  return {
    type: meta.type,
    keyName: name,
    material: keys.material(meta, version),
  };
}

function contextOf(item: JsonObject): Buffer | null {
  const context = optionalText(item, 'context');
  return context === undefined ? null : decodeBase64(context, 'context');
}

function hashOf(item: JsonObject): SignatureHash | undefined {
  return optionalText(item, 'hash_algorithm') as SignatureHash | undefined;
}

// Encrypts plaintext bytes (wiped afterwards) under the version to make.
function seal(
  keys: TransitKeyring,
  item: JsonObject,
  plaintext: Buffer,
): JsonObject {
  const name = text(item, 'name');
  try {
    const version = versionToMake(
      keys.meta(name),
      optionalInt(item, 'key_version'),
    );
    const payload = sealAead(
      aeadTarget(keys, name, version),
      plaintext,
      contextOf(item),
    );
    return { ciphertext: formatValue(version, payload), key_version: version };
  } finally {
    zeroize(plaintext);
  }
}

// Opens a ciphertext; the caller wipes the plaintext it gets.
function open(keys: TransitKeyring, item: JsonObject): Buffer {
  const name = text(item, 'name');
  const { version, bytes } = parseValue(text(item, 'ciphertext'), 'ciphertext');
  versionToOpen(keys.meta(name), version, 'ciphertext');
  return openAead(aeadTarget(keys, name, version), bytes, contextOf(item));
}

const encrypt: CryptoOperation = (keys, data) =>
  withBatch(data, (item) =>
    seal(keys, item, decodeBase64(text(item, 'plaintext'), 'plaintext')),
  );

const decrypt: CryptoOperation = (keys, data) =>
  withBatch(data, (item) => {
    const plaintext = open(keys, item);
    try {
      return { plaintext: plaintext.toString('base64') };
    } finally {
      zeroize(plaintext);
    }
  });

// The plaintext never leaves the worker: opened and sealed again here.
const rewrap: CryptoOperation = (keys, data) =>
  withBatch(data, (item) => seal(keys, item, open(keys, item)));

const datakey: CryptoOperation = (keys, data) => {
  const bits = optionalInt(data, 'bits') ?? 256;
  if (bits !== 128 && bits !== 256 && bits !== 512) {
    throw new MetacryptError('bad_request', 'bits: must be 128, 256 or 512');
  }
  const kind = text(data, 'type');
  const key = randomBytes(bits / 8);
  try {
    const encoded = kind === 'plaintext' ? key.toString('base64') : undefined;
    const sealed = seal(keys, data, Buffer.from(key));
    return encoded === undefined ? sealed : { ...sealed, plaintext: encoded };
  } finally {
    zeroize(key);
  }
};

const sign: CryptoOperation = (keys, data) =>
  withBatch(data, (item) => {
    const name = text(item, 'name');
    const version = versionToMake(
      keys.meta(name),
      optionalInt(item, 'key_version'),
    );
    const signature = signMessage(
      signingKey(keys, name, version),
      decodeBase64(text(item, 'input'), 'input'),
      hashOf(item),
    );
    return { signature: formatValue(version, signature), key_version: version };
  });

const verify: CryptoOperation = (keys, data) =>
  withBatch(data, (item) => {
    const name = text(item, 'name');
    const { version, bytes } = parseValue(text(item, 'signature'), 'signature');
    versionToOpen(keys.meta(name), version, 'signature');
    const valid = verifyMessage(
      signingKey(keys, name, version),
      decodeBase64(text(item, 'input'), 'input'),
      bytes,
      hashOf(item),
    );
    return { valid };
  });

const hmac: CryptoOperation = (keys, data) =>
  withBatch(data, (item) => {
    const name = text(item, 'name');
    const version = versionToMake(
      keys.meta(name),
      optionalInt(item, 'key_version'),
    );
    const mac = hmacOf(
      signingKey(keys, name, version),
      decodeBase64(text(item, 'input'), 'input'),
    );
    return { hmac: formatValue(version, mac), key_version: version };
  });

const verifyHmac: CryptoOperation = (keys, data) =>
  withBatch(data, (item) => {
    const name = text(item, 'name');
    const { version, bytes } = parseValue(text(item, 'hmac'), 'hmac');
    versionToOpen(keys.meta(name), version, 'hmac');
    const expected = hmacOf(
      signingKey(keys, name, version),
      decodeBase64(text(item, 'input'), 'input'),
    );
    return { valid: sameMac(expected, bytes) };
  });

/** CRYPTO_OPERATIONS maps operation names to their handlers. */
export const CRYPTO_OPERATIONS: Readonly<Record<string, CryptoOperation>> = {
  encrypt,
  decrypt,
  rewrap,
  datakey,
  sign,
  verify,
  hmac,
  'verify-hmac': verifyHmac,
};
