// The log module's public surface.
export { createLogger } from './logger.js';
export type { LogFields, Logger, LoggerOptions } from './logger.js';
export {
  isSensitiveField,
  redact,
  REDACTED,
  redactField,
  redactText,
} from './redact.js';
