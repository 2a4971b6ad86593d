// Which file names look like secrets or local state that must never reach
// the container image: keys, certificates, databases, tokens, .env files
// and any configuration other than the shipped examples.
import { posix } from 'node:path';

// Where the example configurations live, the one place a .toml may be.
const EXAMPLES_DIR = 'deploy/examples';

const SECRET_NAMES: readonly RegExp[] = [
  /\.(?:key|pem|crt|csr|p12|pfx)$/i,
  /\.db(?:-wal|-shm|-journal)?$/i,
  /^\.env(?:\..*)?$/i,
  /^token\.json$/i,
  /\.token$/i,
];

/**
 * secretReason says why path (relative, / separators; a COPY source or a
 * context file) looks like a secret, or returns null when it does not.
 */
export function secretReason(path: string): string | null {
  const normalized = posix.normalize(path).replace(/^\/+|\/+$/g, '');
  const segments = normalized.split('/');
  const name = segments.at(-1) ?? '';

  if (segments.includes('certs')) return 'is in a certs directory';
  const pattern = SECRET_NAMES.find((regex) => regex.test(name));
  if (pattern !== undefined) return `is named like a secret (${pattern})`;
  if (name.endsWith('.toml') && posix.dirname(normalized) !== EXAMPLES_DIR) {
    return 'is a configuration file outside deploy/examples';
  }
  return null;
}
