// What the main thread gets from src/keyworker: the client, the protocol
// and the options, with production Argon2 settings by default and no
// module that can unwrap a key.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

import { parseConfig } from '../../src/config/index.js';
import { DEFAULT_ARGON2ID_PARAMS } from '../../src/crypto/index.js';
import { keyWorkerOptions } from '../../src/keyworker/index.js';

const compiledSrc = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'src',
);

// Every project module a compiled file reaches through its static imports.
function importGraph(entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = readFileSync(file, 'utf8');
    for (const match of source.matchAll(
      /^(?:import|export)[^;]*?from '(\.[^']+)'/gms,
    )) {
      const target = match[1];
      if (target !== undefined) visit(join(dirname(file), target));
    }
  };
  visit(entry);
  return seen;
}

// Modules that hold, unwrap or use keys: the key worker's alone.
const KEY_HANDLING = [
  'keyworker/keyring.js',
  'keyworker/barrier-aes-gcm.js',
  'keyworker/seal-state-machine.js',
  'keyworker/engine-host.js',
  'keyworker/argon2-pool.js',
  'keyworker/argon2-task.js',
  'keyworker/key-arena.js',
  'keyworker/worker-main.js',
  'keyworker/worker-services.js',
  'crypto/aead.js',
  'crypto/kdf.js',
];

describe('key worker main-thread surface', () => {
  it('takes the production Argon2id parameters from a default configuration', () => {
    const config = parseConfig(
      {
        server: { listen_addr: ':8443', tls_cert: 'c.pem', tls_key: 'k.pem' },
        database: { path: '/var/lib/metacrypt/metacrypt.db' },
        mcias: { server_url: 'https://mcias.example.com' },
      },
      {},
    );
    assert.deepEqual(keyWorkerOptions(config), {
      dbPath: '/var/lib/metacrypt/metacrypt.db',
      kdf: {
        time: DEFAULT_ARGON2ID_PARAMS.time,
        memoryKiB: DEFAULT_ARGON2ID_PARAMS.memoryKiB,
        threads: DEFAULT_ARGON2ID_PARAMS.threads,
      },
      minPasswordLength: 12,
    });
    assert.deepEqual(
      [
        DEFAULT_ARGON2ID_PARAMS.time,
        DEFAULT_ARGON2ID_PARAMS.memoryKiB,
        DEFAULT_ARGON2ID_PARAMS.threads,
      ],
      [3, 128 * 1024, 4],
    );
  });

  it('starts a server whose imports reach no engine core or key code', () => {
    const graph = [
      ...importGraph(join(compiledSrc, 'server', 'vault-server.js')),
    ].map((f) => relative(compiledSrc, f));
    assert.ok(graph.includes('engines/transit/ops.js'), graph.join(', '));
    assert.ok(graph.includes('keyworker/client.js'));
    const reached = graph.filter(
      (module) =>
        /^engines\/[^/]+\/core\.js$/.test(module) ||
        /^engines\/transit\/(aead-seal|key-material|sign-and-mac|transit-keyring)\.js$/.test(
          module,
        ) ||
        KEY_HANDLING.includes(module),
    );
    assert.deepEqual(reached, []);
  });

  it('imports nothing that holds or unwraps keys', () => {
    const graph = [
      ...importGraph(join(compiledSrc, 'keyworker', 'index.js')),
    ].map((f) => relative(compiledSrc, f));
    assert.ok(graph.includes('keyworker/client.js'), graph.join(', '));
    for (const module of KEY_HANDLING) {
      assert.ok(!graph.includes(module), `the main thread imports ${module}`);
    }
  });
});
