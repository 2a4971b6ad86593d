// The errors module's public surface.
export { ERROR_CATALOGUE, isErrorCode } from './catalogue.js';
export type { ErrorCode, ErrorSpec } from './catalogue.js';
export { describeIssue, parseBody, parseInput } from './describe-issue.js';
export { errnoCode, errnoReason } from './errno-reason.js';
export { errorReply } from './error-reply.js';
export type { ErrorReply } from './error-reply.js';
export {
  ConfigError,
  CryptoError,
  DatabaseError,
  MetacryptError,
  ServerError,
} from './metacrypt-error.js';
export type { MetacryptErrorOptions } from './metacrypt-error.js';
export { quoteInput } from './quote-input.js';
