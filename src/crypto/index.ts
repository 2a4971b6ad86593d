// The crypto module's public surface.
export {
  aeadDecrypt,
  aeadEncrypt,
  FRAME_VERSION,
  KEY_LENGTH,
  NONCE_LENGTH,
  parseFrameHeader,
  TAG_LENGTH,
} from './aead.js';
export type { FrameHeader, KeyRef } from './aead.js';
export {
  checkArgon2idParams,
  DEFAULT_ARGON2ID_PARAMS,
  deriveKey,
} from './kdf.js';
export type { Argon2idParams } from './kdf.js';
export { randomBytes } from './random.js';
export {
  constantTimeEqual,
  isAllZero,
  withZeroized,
  zeroize,
} from './zeroize.js';
