// The auth module's public surface: the MCIAS client, the token cache, the
// authenticator that joins them, and the caller's identity.
export { Authenticator } from './authenticator.js';
export type {
  AuthenticatorClient,
  AuthenticatorOptions,
} from './authenticator.js';
export { bearerToken, MAX_TOKEN_LENGTH } from './bearer-token.js';
export { ADMIN_ROLE, identityOf } from './identity.js';
export type { Identity } from './identity.js';
export { MciasClient } from './mcias-client.js';
export type {
  LoginReply,
  LoginRequest,
  MciasClientOptions,
  TokenInfo,
} from './mcias-client.js';
export { mciasClientOptions, tokenCacheOptions } from './mcias-options.js';
export { DEFAULT_MAX_ENTRIES, TokenCache, tokenKey } from './token-cache.js';
export type { TokenCacheOptions } from './token-cache.js';
