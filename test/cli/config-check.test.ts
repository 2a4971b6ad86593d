// `metacrypt config check`, run as a real process: exit codes, the --json
// output, environment overrides and the error lines an operator sees.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import { projectPath } from '../../src/paths.js';

const work = mkdtempSync(join(tmpdir(), 'metacrypt-cli-'));
after(() => {
  rmSync(work, { recursive: true, force: true });
});

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function metacrypt(args: string[], env: NodeJS.ProcessEnv = {}): Run {
  // A clean environment: no METACRYPT_* from the developer's shell, and a
  // working directory without a metacrypt.toml.
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('METACRYPT_')),
  );
  const result = spawnSync(
    process.execPath,
    [projectPath('bin', 'run.js'), ...args],
    { cwd: work, env: { ...base, ...env }, encoding: 'utf8' },
  );
  return {
    status: result.status,
    stdout: result.stdout,
    stderr: result.stderr,
  };
}

const example = projectPath('deploy', 'examples', 'metacrypt.toml');

describe('metacrypt config check', () => {
  it('prints the settings in effect and exits 0 for a valid file', () => {
    const run = metacrypt(['config', 'check', '--config', example]);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, new RegExp(`^# config ok: ${example}$`, 'm'));
    assert.match(run.stdout, /^listen_addr = ":8443"$/m);
  });

  it('prints JSON with --json, overrides applied', () => {
    const run = metacrypt(['config', 'check', '--config', example, '--json'], {
      METACRYPT_SEAL_ARGON2_TIME: '4',
      METACRYPT_MCIAS_TAGS: 'a,b',
    });
    assert.equal(run.status, 0, run.stderr);
    const out = JSON.parse(run.stdout) as {
      source: string;
      config: { seal: { argon2_time: number }; mcias: { tags: string[] } };
    };
    assert.equal(out.source, example);
    assert.equal(out.config.seal.argon2_time, 4);
    assert.deepEqual(out.config.mcias.tags, ['a', 'b']);
  });

  it('finds the file through METACRYPT_CONFIG', () => {
    const run = metacrypt(['config', 'check', '--json'], {
      METACRYPT_CONFIG: example,
    });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(
      (JSON.parse(run.stdout) as { source: string }).source,
      example,
    );
  });

  it('prints one line per problem and exits 1', () => {
    const path = join(work, 'no-cert.toml');
    writeFileSync(
      path,
      '[server]\nlisten_addr = ":8443"\ntls_key = "k"\n' +
        '[database]\npath = "v.db"\n' +
        '[mcias]\nserver_url = "https://mcias.test"\n',
    );
    const run = metacrypt(['config', 'check', '--config', path]);
    assert.equal(run.status, 1);
    assert.equal(run.stderr, 'config: server.tls_cert is required\n');
    assert.equal(run.stdout, '');
  });

  it('prints the error as JSON with --json', () => {
    const missing = join(work, 'absent.toml');
    const run = metacrypt(['config', 'check', '--config', missing, '--json']);
    assert.equal(run.status, 1);
    assert.deepEqual(JSON.parse(run.stdout), {
      error: `config: ${missing} (from --config) does not exist`,
      code: 'config_not_found',
    });
  });
});
