// Client and cache options from the [mcias] configuration section.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { mciasClientOptions, tokenCacheOptions } from '../../src/auth/index.js';
import type { Config } from '../../src/config/index.js';
import { ConfigError } from '../../src/errors/index.js';
import { testCaPem, TLS_FILES } from '../fixtures/tls-files.js';

const SECTION: Config['mcias'] = {
  server_url: 'https://mcias.test',
  service_name: 'metacrypt',
  tags: ['prod'],
  cache_ttl: 1.5,
};

describe('mciasClientOptions', () => {
  it('carries the section over and reads the CA file', () => {
    assert.deepEqual(mciasClientOptions(SECTION), {
      serverUrl: 'https://mcias.test',
      serviceName: 'metacrypt',
      tags: ['prod'],
    });
    const withCa = mciasClientOptions({
      ...SECTION,
      ca_cert: TLS_FILES.caCert,
    });
    assert.equal(withCa.caCertPem, testCaPem());
  });

  it('names the key and the file of a CA that cannot be read', () => {
    const path = '/nonexistent/ca.pem';
    assert.throws(
      () => mciasClientOptions({ ...SECTION, ca_cert: path }),
      (err: unknown) =>
        err instanceof ConfigError &&
        err.code === 'config_read' &&
        err.message ===
          `config: mcias.ca_cert ${path}: no such file or directory`,
    );
  });
});

describe('tokenCacheOptions', () => {
  it('turns cache_ttl seconds into milliseconds', () => {
    assert.deepEqual(tokenCacheOptions(SECTION), { ttlMs: 1500 });
  });
});
