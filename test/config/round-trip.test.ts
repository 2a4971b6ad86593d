// Properties of configuration loading over generated configurations: a
// file written from any valid configuration reads back the same, and so
// does the same configuration given only through environment variables.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import fc from 'fast-check';
import { stringify } from 'smol-toml';

import { loadConfig } from '../../src/config/index.js';
import type { Config } from '../../src/config/index.js';

const root = mkdtempSync(join(tmpdir(), 'metacrypt-config-prop-'));
after(() => {
  rmSync(root, { recursive: true, force: true });
});

// Text an environment variable can carry: no NUL, not empty.
const text = fc
  .string({ minLength: 1, maxLength: 40 })
  .filter((s) => !s.includes('\0'));
// Labels start with a letter: a host whose last label is a number is read
// by URL parsers as a malformed IPv4 address. And no label starts `xn--`:
// that is punycode, and a label that does not decode is an invalid URL.
const host = fc
  .stringMatching(/^[a-z][a-z0-9-]{0,10}(\.[a-z][a-z0-9-]{0,10}){0,2}$/)
  .filter((h) => !h.split('.').some((label) => label.startsWith('xn--')));
const port = fc.integer({ min: 1, max: 65535 });

const listenAddr = fc.oneof(
  port.map((p) => `:${p}`),
  fc.tuple(host, port).map(([h, p]) => `${h}:${p}`),
  port.map((p) => `[::1]:${p}`),
);

// Plain objects, as the loader returns: fast-check's records default to a
// null prototype, which deepEqual tells apart.
const plain = { noNullPrototype: true } as const;

const configArb: fc.Arbitrary<Config> = fc.record(
  {
    server: fc.record(
      {
        listen_addr: listenAddr,
        tls_cert: text,
        tls_key: text,
        tls_min_version: fc.constantFrom('1.2' as const, '1.3' as const),
        max_request_bytes: fc.integer({ min: 1024, max: 64 * 1024 * 1024 }),
        auth_rate_limit: fc.integer({ min: 1, max: 100_000 }),
        metrics_public: fc.boolean(),
      },
      plain,
    ),
    database: fc.record({ path: text }, plain),
    mcias: fc.record(
      {
        server_url: fc.tuple(host, port).map(([h, p]) => `https://${h}:${p}`),
        ca_cert: text,
        service_name: text,
        tags: fc.array(text, { maxLength: 4 }),
        cache_ttl: fc.integer({ min: 0, max: 86_400 }),
      },
      {
        requiredKeys: ['server_url', 'service_name', 'tags', 'cache_ttl'],
        noNullPrototype: true,
      },
    ),
    seal: fc.record(
      {
        argon2_time: fc.integer({ min: 1, max: 64 }),
        argon2_memory: fc.integer({ min: 8, max: 4 * 1024 * 1024 }),
        argon2_threads: fc.integer({ min: 1, max: 64 }),
        min_password_length: fc.integer({ min: 8, max: 1024 }),
      },
      plain,
    ),
    log: fc.record(
      {
        level: fc.constantFrom('error', 'warn', 'info', 'debug'),
      },
      plain,
    ),
  },
  plain,
);

function asEnv(config: Config): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [section, keys] of Object.entries(config)) {
    for (const [key, value] of Object.entries(keys as object)) {
      const name = `METACRYPT_${section}_${key}`.toUpperCase();
      env[name] = Array.isArray(value) ? JSON.stringify(value) : String(value);
    }
  }
  return env;
}

const isolation = {
  cwd: root,
  systemPath: join(root, 'absent.toml'),
};

describe('configuration round trips', () => {
  it('reads back any valid configuration written as TOML', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(configArb, async (config) => {
        const path = join(root, `c${n++}.toml`);
        writeFileSync(path, stringify(config));
        const loaded = await loadConfig({
          ...isolation,
          configPath: path,
          env: {},
        });
        assert.deepEqual(loaded.config, config);
      }),
      { numRuns: 150 },
    );
  });

  it('reads back any valid configuration given only as environment', async () => {
    await fc.assert(
      fc.asyncProperty(configArb, async (config) => {
        const loaded = await loadConfig({ ...isolation, env: asEnv(config) });
        assert.equal(loaded.source, null);
        assert.deepEqual(loaded.config, config);
      }),
      { numRuns: 150 },
    );
  });
});
