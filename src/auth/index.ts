// The auth module's public surface: the MCIAS client and the HTTPS JSON
// exchange it is built on.
export {
  DEFAULT_MAX_REPLY_BYTES,
  DEFAULT_TIMEOUT_MS,
  httpsJson,
} from './https-json.js';
export type { HttpsJsonRequest, HttpsJsonResult } from './https-json.js';
export { MciasClient } from './mcias-client.js';
export type {
  LoginReply,
  LoginRequest,
  MciasClientOptions,
  TokenInfo,
} from './mcias-client.js';
