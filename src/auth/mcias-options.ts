// Builds the MCIAS client's and token cache's options from the [mcias]
// configuration section, reading the CA certificate file it names.
import { readFileSync } from 'node:fs';

import type { Config } from '../config/index.js';
import { ConfigError, errnoReason } from '../errors/index.js';
import type { MciasClientOptions } from './mcias-client.js';
import type { TokenCacheOptions } from './token-cache.js';

/**
 * mciasClientOptions turns `[mcias]` into client options. A ca_cert that
 * cannot be read is a ConfigError (`config_read`) naming the key and the
 * file, as in `config: mcias.ca_cert /etc/ca.pem: permission denied`.
 */
export function mciasClientOptions(mcias: Config['mcias']): MciasClientOptions {
  return {
    serverUrl: mcias.server_url,
    serviceName: mcias.service_name,
    tags: mcias.tags,
    ...(mcias.ca_cert === undefined
      ? {}
      : { caCertPem: readCaCert(mcias.ca_cert) }),
  };
}

/** tokenCacheOptions turns `[mcias] cache_ttl` (seconds) into cache options. */
export function tokenCacheOptions(mcias: Config['mcias']): TokenCacheOptions {
  return { ttlMs: Math.round(mcias.cache_ttl * 1000) };
}

function readCaCert(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(
      'config_read',
      `mcias.ca_cert ${path}: ${errnoReason(err) ?? 'unreadable'}`,
    );
  }
}
