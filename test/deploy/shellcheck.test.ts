// Every shell script under deploy/ passes shellcheck without a finding,
// and is written the way the project writes them: strict mode, a usage
// line, and the execute bit systemd's ExecStart= needs.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { projectPath } from '../../src/paths.js';

const DEPLOY = projectPath('deploy');

const scripts = readdirSync(DEPLOY, { recursive: true, encoding: 'utf8' })
  .filter((path) => path.endsWith('.sh'))
  .sort()
  .map((path) => join(DEPLOY, path));

describe('the shell scripts in deploy/', () => {
  it('include install.sh and backup.sh', () => {
    for (const name of ['install.sh', 'backup.sh']) {
      assert.ok(scripts.includes(join(DEPLOY, 'scripts', name)), name);
    }
  });

  it('pass shellcheck with no findings', () => {
    const run = spawnSync('shellcheck', ['--format=gcc', ...scripts], {
      encoding: 'utf8',
    });
    assert.equal(run.error, undefined, 'shellcheck is not installed');
    assert.equal(run.stdout, '');
    assert.equal(run.stderr, '');
    assert.equal(run.status, 0);
  });

  for (const name of ['install.sh', 'backup.sh']) {
    it(`${name} is executable, strict, and has a usage line`, () => {
      const path = join(DEPLOY, 'scripts', name);
      assert.equal(statSync(path).mode & 0o755, 0o755);
      const text = readFileSync(path, 'utf8');
      assert.match(text, /^#!\/usr\/bin\/env bash\n/);
      assert.match(text, /^set -euo pipefail$/m);
      assert.match(text, new RegExp(`^readonly usage='usage: ${name} `, 'm'));
    });
  }
});
