// Loading configuration: the search order, environment overrides with
// type coercion, defaults, and errors that name the key or the line.
import assert from 'node:assert/strict';
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import { parse } from 'smol-toml';

import {
  coerceEnvValue,
  loadConfig,
  SYSTEM_CONFIG_PATH,
} from '../../src/config/index.js';
import type { LoadConfigOptions } from '../../src/config/index.js';
import { ConfigError } from '../../src/errors/index.js';
import { projectPath } from '../../src/paths.js';

const root = mkdtempSync(join(tmpdir(), 'metacrypt-config-'));
after(() => {
  rmSync(root, { recursive: true, force: true });
});

let counter = 0;
function dir(): string {
  const path = join(root, String(counter++));
  mkdirSync(path);
  return path;
}

function valid(listen = ':8443'): string {
  return [
    '[server]',
    `listen_addr = "${listen}"`,
    'tls_cert = "cert.pem"',
    'tls_key = "key.pem"',
    '[database]',
    'path = "vault.db"',
    '[mcias]',
    'server_url = "https://mcias.test:8443"',
    '',
  ].join('\n');
}

function write(directory: string, name: string, text: string): string {
  const path = join(directory, name);
  writeFileSync(path, text);
  return path;
}

// Options that never look at the real working directory or /etc.
function isolated(options: LoadConfigOptions = {}): LoadConfigOptions {
  const empty = dir();
  return {
    cwd: empty,
    systemPath: join(empty, 'absent.toml'),
    env: {},
    ...options,
  };
}

async function failure(options: LoadConfigOptions): Promise<ConfigError> {
  try {
    await loadConfig(options);
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err;
  }
  assert.fail('expected the config to be refused');
}

describe('config search order', () => {
  it('prefers --config, then METACRYPT_CONFIG, then ./, then /etc', async () => {
    const d = dir();
    const flag = write(d, 'flag.toml', valid(':1001'));
    const envFile = write(d, 'env.toml', valid(':1002'));
    const cwd = dir();
    write(cwd, 'metacrypt.toml', valid(':1003'));
    const system = write(d, 'system.toml', valid(':1004'));
    const env = { METACRYPT_CONFIG: envFile };
    const base = { cwd, systemPath: system };

    const cases: [LoadConfigOptions, string, string][] = [
      [{ ...base, env, configPath: flag }, ':1001', flag],
      [{ ...base, env }, ':1002', envFile],
      [{ ...base, env: {} }, ':1003', join(cwd, 'metacrypt.toml')],
      [{ ...base, cwd: dir(), env: {} }, ':1004', system],
    ];
    for (const [options, listen, source] of cases) {
      const loaded = await loadConfig(options);
      assert.equal(loaded.config.server.listen_addr, listen);
      assert.equal(loaded.source, source);
    }
  });

  it('searches /etc/metacrypt/metacrypt.toml by default', () => {
    assert.equal(SYSTEM_CONFIG_PATH, '/etc/metacrypt/metacrypt.toml');
  });

  it('refuses an explicit path that does not exist, naming it', async () => {
    const missing = join(dir(), 'missing.toml');
    const err = await failure(isolated({ configPath: missing }));
    assert.equal(err.code, 'config_not_found');
    assert.equal(
      err.message,
      `config: ${missing} (from --config) does not exist`,
    );

    const fromEnv = await failure(
      isolated({ env: { METACRYPT_CONFIG: missing } }),
    );
    assert.match(fromEnv.message, /\(from METACRYPT_CONFIG\) does not exist$/);
  });

  it('reports a file it cannot read', async () => {
    const err = await failure(isolated({ configPath: dir() }));
    assert.equal(err.code, 'config_read');
    assert.match(err.message, /: is a directory$/);
  });

  it('works from the environment alone when no file exists', async () => {
    const loaded = await loadConfig(
      isolated({
        env: {
          METACRYPT_SERVER_LISTEN_ADDR: '127.0.0.1:8443',
          METACRYPT_SERVER_TLS_CERT: 'c.pem',
          METACRYPT_SERVER_TLS_KEY: 'k.pem',
          METACRYPT_DATABASE_PATH: 'v.db',
          METACRYPT_MCIAS_SERVER_URL: 'https://mcias.test',
        },
      }),
    );
    assert.equal(loaded.source, null);
    assert.equal(loaded.config.server.listen_addr, '127.0.0.1:8443');
  });
});

describe('config values', () => {
  it('fills in every default', async () => {
    const path = write(dir(), 'm.toml', valid());
    const { config } = await loadConfig(isolated({ configPath: path }));
    assert.deepEqual(config, {
      server: {
        listen_addr: ':8443',
        tls_cert: 'cert.pem',
        tls_key: 'key.pem',
        tls_min_version: '1.2',
        max_request_bytes: 1048576,
        auth_rate_limit: 30,
        metrics_public: false,
      },
      database: { path: 'vault.db' },
      mcias: {
        server_url: 'https://mcias.test:8443',
        service_name: 'metacrypt',
        tags: [],
        cache_ttl: 30,
      },
      seal: {
        argon2_time: 3,
        argon2_memory: 131072,
        argon2_threads: 4,
        min_password_length: 12,
      },
      log: { level: 'info' },
    });
  });

  it('lets METACRYPT_<SECTION>_<KEY> override each key with its type', async () => {
    const path = write(dir(), 'm.toml', valid());
    const { config } = await loadConfig(
      isolated({
        configPath: path,
        env: {
          METACRYPT_SERVER_LISTEN_ADDR: '[::1]:9443',
          METACRYPT_SEAL_ARGON2_TIME: '5',
          METACRYPT_SEAL_ARGON2_MEMORY: ' 65536 ',
          METACRYPT_MCIAS_TAGS: 'env:prod, team:ops',
          METACRYPT_MCIAS_CACHE_TTL: '2m',
          METACRYPT_LOG_LEVEL: 'debug',
          METACRYPT_SERVER_METRICS_PUBLIC: 'true',
          // Not configuration keys: the CLI's own variables.
          METACRYPT_ADDR: 'https://x',
          METACRYPT_TOKEN: 'tok',
          METACRYPT_CA_CERT: 'ca.pem',
        },
      }),
    );
    assert.equal(config.server.listen_addr, '[::1]:9443');
    assert.equal(config.seal.argon2_time, 5);
    assert.equal(config.seal.argon2_memory, 65536);
    assert.deepEqual(config.mcias.tags, ['env:prod', 'team:ops']);
    assert.equal(config.mcias.cache_ttl, 120);
    assert.equal(config.log.level, 'debug');
    assert.equal(config.server.metrics_public, true);
  });

  it('reads lists as JSON arrays and ignores empty overrides', async () => {
    const path = write(dir(), 'm.toml', valid());
    const { config } = await loadConfig(
      isolated({
        configPath: path,
        env: {
          METACRYPT_MCIAS_TAGS: '["a,b", "c"]',
          METACRYPT_DATABASE_PATH: '',
        },
      }),
    );
    assert.deepEqual(config.mcias.tags, ['a,b', 'c']);
    assert.equal(config.database.path, 'vault.db');
  });

  it('coerces booleans, numbers and lists from text', () => {
    for (const text of ['true', 'TRUE', '1', 'yes', 'on']) {
      assert.equal(coerceEnvValue('V', text, 'boolean'), true);
    }
    for (const text of ['false', '0', 'no', 'off']) {
      assert.equal(coerceEnvValue('V', text, 'boolean'), false);
    }
    assert.throws(() => coerceEnvValue('METACRYPT_X_Y', 'maybe', 'boolean'), {
      message: 'config: METACRYPT_X_Y must be true or false, got "maybe"',
    });
    assert.equal(coerceEnvValue('V', '-42', 'number'), -42);
    assert.deepEqual(coerceEnvValue('V', 'a,,b ,', 'list'), ['a', 'b']);
    assert.throws(() => coerceEnvValue('V', '[1, 2]', 'list'), {
      message:
        'config: V must be a comma-separated list or a JSON array of strings',
    });
  });

  it('accepts durations in ms, s, m and h, or bare seconds', async () => {
    const path = write(dir(), 'm.toml', valid() + 'cache_ttl = 45\n');
    const cases: [string, number][] = [
      ['1500ms', 1.5],
      ['90', 90],
      ['10s', 10],
      ['5m', 300],
      ['1h', 3600],
    ];
    for (const [text, seconds] of cases) {
      const { config } = await loadConfig(
        isolated({
          configPath: path,
          env: { METACRYPT_MCIAS_CACHE_TTL: text },
        }),
      );
      assert.equal(config.mcias.cache_ttl, seconds);
    }
    const { config } = await loadConfig(isolated({ configPath: path }));
    assert.equal(config.mcias.cache_ttl, 45);
  });
});

describe('config errors', () => {
  async function problem(
    text: string,
    env: NodeJS.ProcessEnv = {},
  ): Promise<string> {
    const path = write(dir(), 'metacrypt.toml', text);
    return (await failure(isolated({ configPath: path, env }))).message;
  }

  it('names a missing required key', async () => {
    const text = valid().replace('tls_cert = "cert.pem"\n', '');
    assert.equal(await problem(text), 'config: server.tls_cert is required');
    const noDb = valid().replace('[database]\npath = "vault.db"\n', '');
    assert.equal(await problem(noDb), 'config: database.path is required');
  });

  it('lists every problem, unknown names first', async () => {
    const path = write(dir(), 'm.toml', '[server]\nlisten_adr = ":1"\n');
    const err = await failure(isolated({ configPath: path }));
    assert.equal(
      err.message,
      'config: unknown key server.listen_adr (did you mean server.listen_addr?)',
    );
    assert.deepEqual(err.problems.slice(0, 3), [
      'config: unknown key server.listen_adr (did you mean server.listen_addr?)',
      'config: server.listen_addr is required',
      'config: server.tls_cert is required',
    ]);
  });

  it('suggests the nearest known section or key', async () => {
    assert.equal(
      await problem(valid() + '[sael]\nargon2_time = 3\n'),
      'config: unknown section [sael] (did you mean [seal]?)',
    );
    assert.equal(
      await problem(valid() + '[seal]\nargon2_thread = 3\n'),
      'config: unknown key seal.argon2_thread (did you mean seal.argon2_threads?)',
    );
    assert.equal(
      await problem(valid() + '[seal]\nfrobnicate = 3\n'),
      'config: unknown key seal.frobnicate',
    );
    assert.equal(
      await problem('level = "info"\n' + valid()),
      'config: unknown key level at the top level (did you mean log.level under [log]?)',
    );
  });

  it('suggests the nearest variable for an unknown override', async () => {
    assert.equal(
      await problem(valid(), { METACRYPT_SERVER_LISTEN_ADR: ':1' }),
      'config: unknown key server.listen_adr in METACRYPT_SERVER_LISTEN_ADR ' +
        '(did you mean METACRYPT_SERVER_LISTEN_ADDR?)',
    );
  });

  it('names a value of the wrong type or out of range', async () => {
    const cases: [string, string][] = [
      [
        '[seal]\nargon2_time = "three"\n',
        'config: seal.argon2_time must be a whole number',
      ],
      [
        '[seal]\nargon2_time = 2.5\n',
        'config: seal.argon2_time must be a whole number',
      ],
      [
        '[seal]\nargon2_threads = 0\n',
        'config: seal.argon2_threads must be 1 to 64',
      ],
      [
        '[log]\nlevel = "loud"\n',
        'config: log.level must be one of error, warn, info, debug',
      ],
      ['[mcias]\ntags = "a"\n', 'config: mcias.tags must be a list'],
      ['log = 3\n', 'config: log must be a table'],
    ];
    for (const [extra, message] of cases) {
      // Append to a valid file by replacing its section where needed.
      const text = extra.startsWith('[mcias]')
        ? valid().replace('[mcias]\n', extra)
        : extra + valid();
      assert.equal(await problem(text), message);
    }
    assert.equal(
      await problem(valid(), { METACRYPT_SEAL_ARGON2_TIME: 'lots' }),
      'config: METACRYPT_SEAL_ARGON2_TIME must be a whole number, got "lots"',
    );
  });

  it('checks the listen address and the MCIAS URL', async () => {
    for (const addr of ['8443', 'host:', 'host:99999', 'a b:1']) {
      assert.equal(
        await problem(valid(addr)),
        'config: server.listen_addr must be host:port, [ipv6]:port or :port',
      );
    }
    assert.equal(
      await problem(valid().replace('https://mcias', 'http://mcias')),
      'config: mcias.server_url must be an https:// URL',
    );
  });

  it('reports a TOML syntax error with the file and line, not the text', async () => {
    const text = '[server]\nlisten_addr = ":8443"\npassword = = "hunter2"\n';
    const path = write(dir(), 'broken.toml', text);
    const err = await failure(isolated({ configPath: path }));
    assert.equal(err.code, 'config_parse');
    assert.match(err.message, new RegExp(`^config: ${path}:3:\\d+: `));
    assert.ok(!err.message.includes('hunter2'));
  });
});

describe('example configuration', () => {
  it('is valid and sets every key the schema knows', async () => {
    const path = projectPath('deploy', 'examples', 'metacrypt.toml');
    const { config } = await loadConfig(isolated({ configPath: path }));
    const raw = parse(readFileSync(path, 'utf8')) as Record<string, object>;
    for (const [section, keys] of Object.entries(config)) {
      assert.deepEqual(
        Object.keys(raw[section] ?? {}).sort(),
        Object.keys(keys as object).sort(),
        `keys of [${section}]`,
      );
    }
  });
});
