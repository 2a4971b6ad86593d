// Makes sure a refusal for too many attempts says when to try again, so
// an operator locked out of unseal knows how long to wait.
import { MetacryptError } from '../errors/index.js';

// The codes whose replies carry a Retry-After header.
const RETRY_CODES = new Set(['too_many_attempts', 'rate_limited']);

/**
 * withRetryHint returns err, or for a lockout or rate limit whose message
 * does not already say when to retry, the same error with the server's
 * Retry-After added: `too many attempts: try again in 42 seconds`. The
 * server's own messages already say it; a proxy's might not.
 */
export function withRetryHint(err: unknown): unknown {
  if (!(err instanceof MetacryptError)) return err;
  const seconds = err.retryAfterSeconds;
  if (!RETRY_CODES.has(err.code) || seconds === undefined) return err;
  if (err.message.includes('try again')) return err;
  return new MetacryptError(
    err.code,
    `${err.message}: try again in ${String(seconds)} seconds`,
    { retryAfterSeconds: seconds, cause: err },
  );
}
