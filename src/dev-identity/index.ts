// The dev identity server's public surface: starting one in-process and
// the users it serves. Importing it starts nothing.
export {
  DEFAULT_TOKEN_TTL_SECONDS,
  startDevIdentityServer,
} from './dev-identity-server.js';
export type {
  DevIdentityServer,
  DevIdentityServerOptions,
  DevIdentityUsers,
} from './dev-identity-server.js';
export { hashPassword } from './argon2-hash.js';
export type { Argon2Cost } from './argon2-hash.js';
export { DEV_ISSUER } from './token-issuer.js';
export { totpCode, decodeBase32 } from './totp.js';
export { devSubject, loadUsersFile, parseUsers } from './users-file.js';
export type { DevUser, DevUserEntry } from './users-file.js';
