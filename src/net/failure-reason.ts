// Describes why an HTTPS exchange failed in a few words an operator can
// act on, from the error's code only (never its message).
import { errnoCode } from '../errors/index.js';

// OpenSSL's verification codes (Node sets them as err.code) for a chain
// that does not lead to a trusted CA.
const UNTRUSTED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
]);

const REASONS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection reset',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host not found',
  CERT_HAS_EXPIRED: 'certificate expired',
  CERT_NOT_YET_VALID: 'certificate not yet valid',
  CERT_REVOKED: 'certificate revoked',
  ERR_TLS_CERT_ALTNAME_INVALID: 'certificate does not match the host',
  EPROTO: 'tls handshake failed',
  ERR_SSL_WRONG_VERSION_NUMBER: 'tls handshake failed (not an https server?)',
};

/**
 * failureReason names the cause of a failed request: `connection
 * refused`, `certificate not trusted`, ... Any other code is given
 * lowercased, and an error without one as `request failed`.
 */
export function failureReason(err: unknown): string {
  const code = errnoCode(err);
  if (code === undefined) return 'request failed';
  if (UNTRUSTED.has(code)) return 'certificate not trusted';
  return REASONS[code] ?? code.toLowerCase();
}

/** describeTimeout writes a timeout as `10 s`, or as `250 ms`. */
export function describeTimeout(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}
