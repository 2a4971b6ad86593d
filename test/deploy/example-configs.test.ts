// The example configurations: the container's loads with the real loader
// and keeps every path under /data, and both name every key the schema
// knows, set or commented out, so a new key cannot go undocumented.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import { parse } from 'smol-toml';

import { loadConfig } from '../../src/config/index.js';
import type { Config } from '../../src/config/index.js';
import { CONFIG_KEYS } from '../../src/config/schema.js';
import { projectPath } from '../../src/paths.js';

const EXAMPLES = ['metacrypt.toml', 'metacrypt-docker.toml'];
const DOCKER_EXAMPLE = projectPath(
  'deploy',
  'examples',
  'metacrypt-docker.toml',
);

const empty = mkdtempSync(join(tmpdir(), 'metacrypt-examples-'));
after(() => {
  rmSync(empty, { recursive: true, force: true });
});

// The file alone: no environment, no ./metacrypt.toml, no /etc.
async function load(path: string): Promise<Config> {
  const { config } = await loadConfig({
    configPath: path,
    cwd: empty,
    env: {},
    systemPath: join(empty, 'absent.toml'),
  });
  return config;
}

/** NamedKeys are the keys a file sets and those it shows commented out. */
interface NamedKeys {
  readonly set: Map<string, unknown>;
  readonly commented: Map<string, unknown>;
}

// `section.key` for every key set, and for every `# key = value` line in a
// section, with the value as TOML reads it.
function namedKeys(text: string): NamedKeys {
  const set = new Map<string, unknown>();
  const raw = parse(text) as Record<string, Record<string, unknown>>;
  for (const [section, keys] of Object.entries(raw)) {
    for (const [key, value] of Object.entries(keys)) {
      set.set(`${section}.${key}`, value);
    }
  }

  const commented = new Map<string, unknown>();
  let section = '';
  for (const line of text.split('\n')) {
    const header = /^\[([a-z_]+)\]\s*$/.exec(line);
    if (header !== null) section = header[1] ?? '';
    const off = /^#\s*([a-z_][a-z0-9_]*)\s*=\s*(.+)$/.exec(line);
    if (off !== null && section !== '') {
      const [, key = '', value = ''] = off;
      commented.set(`${section}.${key}`, parse(`v = ${value}`).v);
    }
  }
  return { set, commented };
}

function schemaKeys(): string[] {
  return [...CONFIG_KEYS].flatMap(([section, keys]) =>
    [...keys.keys()].map((key) => `${section}.${key}`),
  );
}

describe('the example configurations', () => {
  for (const name of EXAMPLES) {
    it(`${name} names every key the schema knows, and no other`, async () => {
      const path = projectPath('deploy', 'examples', name);
      const { set, commented } = namedKeys(readFileSync(path, 'utf8'));
      const named = [...set.keys(), ...commented.keys()];
      assert.deepEqual(named.slice().sort(), schemaKeys().sort());
      assert.equal(new Set(named).size, named.length, 'each key once');
      await load(path);
    });
  }

  it('the container example keeps every path under /data', async () => {
    const config = await load(DOCKER_EXAMPLE);
    assert.equal(config.server.listen_addr, ':8443');
    assert.equal(config.server.tls_cert, '/data/certs/server.crt');
    assert.equal(config.server.tls_key, '/data/certs/server.key');
    assert.equal(config.database.path, '/data/metacrypt.db');

    // ca_cert is there only for a private CA: shown, but commented out.
    assert.equal(config.mcias.ca_cert, undefined);
    const { commented } = namedKeys(readFileSync(DOCKER_EXAMPLE, 'utf8'));
    assert.deepEqual(
      [...commented],
      [['mcias.ca_cert', '/data/certs/mcias-ca.crt']],
    );
  });

  it('the two examples differ only in their paths', async () => {
    const plain = await load(
      projectPath('deploy', 'examples', EXAMPLES[0] ?? ''),
    );
    const docker = await load(DOCKER_EXAMPLE);
    const paths = {
      server: { tls_cert: '', tls_key: '' },
      database: { path: '' },
    };
    const withoutPaths = (config: Config): unknown => ({
      ...config,
      server: { ...config.server, ...paths.server },
      database: paths.database,
      mcias: { ...config.mcias, ca_cert: undefined },
    });
    assert.deepEqual(withoutPaths(docker), withoutPaths(plain));
  });
});
