// deploy/scripts/install.sh, run for real (as root) into a scratch DESTDIR
// twice: the layout's modes and owners, the pruned program that still
// runs, the wrapper, and a second run that keeps the configuration, the
// state and the user as they were. Then the refusals.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import type { SpawnSyncReturns } from 'node:child_process';
import {
  appendFileSync,
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { projectPath } from '../../src/paths.js';
import type { ChildResult } from '../fixtures/child-output.js';
import { CliHome } from '../fixtures/cli-process.js';
import { INSTALL_SH, InstallRoot } from '../fixtures/install-root.js';
import { writeServerConfig } from '../fixtures/server-process.js';
import { PASSWORD } from '../keyworker/vault-scratch.js';

const LIB = '/usr/local/lib/metacrypt';
const WRAPPER = '/usr/local/bin/metacrypt';
const CONFIG = '/etc/metacrypt/metacrypt.toml';
const UNITS = [
  'metacrypt.service',
  'metacrypt-backup.service',
  'metacrypt-backup.timer',
];

type Owner = 'root' | 'metacrypt';

/** The installed layout, as the runbook documents it. */
const LAYOUT: readonly [path: string, mode: number, owner: Owner][] = [
  [LIB, 0o755, 'root'],
  [WRAPPER, 0o755, 'root'],
  ['/etc/metacrypt', 0o750, 'metacrypt'],
  ['/etc/metacrypt/certs', 0o750, 'metacrypt'],
  [CONFIG, 0o640, 'metacrypt'],
  ['/var/lib/metacrypt', 0o700, 'metacrypt'],
  ['/var/lib/metacrypt/backups', 0o700, 'metacrypt'],
  ...UNITS.map((unit): [string, number, Owner] => [
    `/etc/systemd/system/${unit}`,
    0o644,
    'root',
  ]),
];

/** modeOwner is a path's permission bits and owner, e.g. `755 0:0`. */
function modeOwner(path: string): string {
  const { mode, uid, gid } = lstatSync(path);
  return `${(mode & 0o7777).toString(8)} ${String(uid)}:${String(gid)}`;
}

/** walk lists every path under dir, dir first. */
function walk(dir: string): string[] {
  const found = [dir];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...walk(path));
    else found.push(path);
  }
  return found;
}

function assertSucceeded(run: ChildResult): void {
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stderr, '');
  assert.match(run.stdout, /^Installed metacrypt\/\d+\.\d+\.\d+ /);
  assert.match(run.stdout, /Nothing was enabled or started\./);
  assert.match(run.stdout, /systemctl enable --now metacrypt\n/);
  assert.match(run.stdout, /metacrypt init --addr https:\/\/localhost:8443/);
  assert.match(run.stdout, /systemctl enable --now metacrypt-backup\.timer/);
}

describe('install.sh into a scratch root', () => {
  const root = new InstallRoot();
  after(() => {
    root.remove();
  });

  // The modes and owners of the layout, and of the whole program tree.
  const layout = (): Map<string, string> => {
    const { uid, gid } = root.account();
    const seen = new Map<string, string>();
    for (const [path, mode, owner] of LAYOUT) {
      const id = owner === 'root' ? '0:0' : `${String(uid)}:${String(gid)}`;
      assert.equal(
        modeOwner(root.path(path)),
        `${mode.toString(8)} ${id}`,
        path,
      );
      seen.set(path, modeOwner(root.path(path)));
    }
    return seen;
  };

  let first: ChildResult;
  let hostPasswd: string;
  before(async () => {
    hostPasswd = readFileSync('/etc/passwd', 'utf8');
    first = await root.install();
  });

  it('installs, prints the next steps and enables nothing', () => {
    assertSucceeded(first);
    assert.match(first.stdout, /wrote \/etc\/metacrypt\/metacrypt\.toml/);
    assert.ok(
      !existsSync(root.path('/etc/systemd/system/multi-user.target.wants')),
    );
    assert.ok(
      !existsSync(root.path('/etc/systemd/system/timers.target.wants')),
    );
  });

  it('adds one system user and group metacrypt, without a login shell', () => {
    assert.equal(root.passwdLines().length, 1);
    const account = root.account();
    assert.ok(account.uid > 0 && account.uid < 1000, String(account.uid));
    assert.equal(account.home, '/var/lib/metacrypt');
    assert.equal(account.shell, '/usr/sbin/nologin');
    const group = readFileSync(root.path('/etc/group'), 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('metacrypt:'));
    assert.deepEqual(
      group.map((line) => Number(line.split(':')[2])),
      [account.gid],
    );
    // Only DESTDIR's copy changed, by that one line; the host's did not.
    const host = readFileSync('/etc/passwd', 'utf8');
    assert.equal(host, hostPasswd);
    const copy = readFileSync(root.path('/etc/passwd'), 'utf8');
    assert.deepEqual(
      copy.split('\n').filter((line) => !line.startsWith('metacrypt:')),
      host.split('\n'),
    );
  });

  it('gives each path of the layout its mode and owner', () => {
    layout();
    const lib = root.path(LIB);
    for (const path of walk(lib)) {
      const stat = lstatSync(path);
      assert.equal(`${String(stat.uid)}:${String(stat.gid)}`, '0:0', path);
      if (stat.isSymbolicLink()) {
        // node_modules/.bin links: each still leads into the tree, none
        // back into the source it was copied from.
        assert.ok(realpathSync(path).startsWith(`${lib}/`), path);
        continue;
      }
      assert.equal(stat.mode & 0o022, 0, `${path} is group or world writable`);
      if (stat.isDirectory()) assert.equal(stat.mode & 0o7777, 0o755, path);
    }
    const backup = root.path(`${LIB}/deploy/scripts/backup.sh`);
    assert.equal(modeOwner(backup), '755 0:0');
    // Nothing is left of the staging directories beside the program.
    assert.deepEqual(readdirSync(root.path('/usr/local/lib')), ['metacrypt']);
  });

  it('copies the example configuration and the units as they are', () => {
    assert.equal(
      readFileSync(root.path(CONFIG), 'utf8'),
      readFileSync(projectPath('deploy', 'examples', 'metacrypt.toml'), 'utf8'),
    );
    for (const unit of UNITS) {
      assert.equal(
        readFileSync(root.path(`/etc/systemd/system/${unit}`), 'utf8'),
        readFileSync(projectPath('deploy', 'systemd', unit), 'utf8'),
      );
    }
  });

  it('writes a wrapper that runs an absolute Node.js >= 20.19 on run.js', () => {
    const text = readFileSync(root.path(WRAPPER), 'utf8');
    assert.match(text, /^#!\/bin\/sh\n/);
    const exec = /^exec '([^']+)' '([^']+)' "\$@"$/m.exec(text);
    assert.ok(exec, text);
    const [, node = '', script] = exec;
    assert.ok(node.startsWith('/'), node);
    assert.equal(script, `${LIB}/bin/run.js`);

    const version = spawnSync(node, ['-p', 'process.versions.node'], {
      encoding: 'utf8',
    });
    const [major = 0, minor = 0] = version.stdout.split('.').map(Number);
    assert.ok(major > 20 || (major === 20 && minor >= 19), version.stdout);
  });

  it('installs the program without development packages, and it runs', () => {
    const lib = root.path(LIB);
    for (const part of [
      'package.json',
      'package-lock.json',
      'bin/run.js',
      'dist/src/cli/commands',
      'migrations',
      'views',
      'deploy/scripts/backup.sh',
      'oclif.manifest.json',
    ]) {
      assert.ok(existsSync(join(lib, part)), part);
    }
    assert.ok(!existsSync(join(lib, 'dist', 'test')));
    assert.ok(!existsSync(join(lib, 'src')));

    const pkg = JSON.parse(
      readFileSync(projectPath('package.json'), 'utf8'),
    ) as {
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    for (const name of Object.keys(pkg.devDependencies)) {
      assert.ok(!existsSync(join(lib, 'node_modules', name)), name);
    }
    for (const name of Object.keys(pkg.dependencies)) {
      assert.ok(existsSync(join(lib, 'node_modules', name)), name);
    }

    const home = new CliHome();
    try {
      const run = (args: string[], stdin = ''): SpawnSyncReturns<string> =>
        spawnSync(process.execPath, [join(lib, 'bin', 'run.js'), ...args], {
          encoding: 'utf8',
          cwd: home.dir,
          env: home.env(),
          input: stdin,
        });
      const version = run(['--version']);
      assert.equal(version.status, 0, version.stderr);
      assert.match(version.stdout, /^metacrypt\/0\.1\.0 /);

      // Commands through oclif that need Argon2 in a worker and SQLite:
      // the compiled native modules survived the pruning.
      const database = join(home.dir, 'metacrypt.db');
      const config = writeServerConfig(join(home.dir, 'metacrypt.toml'), {
        database,
      });
      const init = run(
        ['init', '--config', config, '--password-stdin'],
        `${PASSWORD}\n`,
      );
      assert.equal(init.status, 0, init.stderr);
      const verify = run(['snapshot', 'verify', database]);
      assert.equal(verify.status, 0, verify.stderr);
      assert.match(verify.stdout, /integrity ok, .*, initialized\n$/);
    } finally {
      home.remove();
    }
  });

  it('changes nothing it should not on a second run', async () => {
    const before = layout();
    const { uid, gid } = root.account();

    // What an operator and the service did since the first run.
    appendFileSync(root.path(CONFIG), '\n# edited by the operator\n');
    const config = readFileSync(root.path(CONFIG));
    const state = root.path('/var/lib/metacrypt/metacrypt.db');
    writeFileSync(state, 'the live database', { mode: 0o600 });
    const backup = root.path(
      '/var/lib/metacrypt/backups/metacrypt-20260314-020000.db',
    );
    writeFileSync(backup, 'a backup', { mode: 0o600 });
    const cert = root.path('/etc/metacrypt/certs/server.key');
    writeFileSync(cert, 'a key', { mode: 0o600 });

    const second = await root.install();
    assertSucceeded(second);
    assert.match(
      second.stdout,
      /kept the existing \/etc\/metacrypt\/metacrypt\.toml/,
    );

    assert.deepEqual(readFileSync(root.path(CONFIG)), config);
    assert.equal(readFileSync(state, 'utf8'), 'the live database');
    assert.equal(readFileSync(backup, 'utf8'), 'a backup');
    assert.equal(readFileSync(cert, 'utf8'), 'a key');
    for (const path of [state, backup, cert]) {
      assert.equal(modeOwner(path), '600 0:0', path);
    }
    assert.deepEqual(layout(), before);
    assert.equal(root.passwdLines().length, 1);
    assert.equal(root.account().uid, uid);
    assert.equal(root.account().gid, gid);
    assert.deepEqual(readdirSync(root.path('/usr/local/lib')), ['metacrypt']);
  });
});

describe('install.sh refusals', () => {
  const root = new InstallRoot();
  after(() => {
    root.remove();
  });
  const installed = (): string[] => readdirSync(root.dir);

  it('refuses a source tree that was not built', async () => {
    const source = mkdtempSync(join(tmpdir(), 'metacrypt-unbuilt-'));
    try {
      writeFileSync(join(source, 'package.json'), '{}');
      mkdirSync(join(source, 'node_modules'));
      const run = await root.install({ source });
      assert.equal(run.status, 1);
      assert.equal(
        run.stderr,
        `install.sh: ${source} is not a built tree (no dist/src/cli/commands): ` +
          'run npm ci && npm run build in it first\n',
      );
      assert.equal(run.stdout, '');
      assert.deepEqual(installed(), ['etc']);
    } finally {
      rmSync(source, { recursive: true, force: true });
    }
  });

  it('refuses a Node.js older than 20.19', async () => {
    const node = join(root.scratch, 'node');
    writeFileSync(node, '#!/bin/sh\necho 20.18.3\n');
    chmodSync(node, 0o755);
    const run = await root.install({ env: { NODE: node } });
    assert.equal(run.status, 1);
    assert.equal(
      run.stderr,
      `install.sh: ${node} is Node.js 20.18.3; Metacrypt needs 20.19 or newer\n`,
    );
    assert.deepEqual(installed(), ['etc']);
  });

  it('refuses to run as another user than root', async () => {
    const run = await root.install({
      wrap: ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'],
    });
    assert.equal(run.status, 1);
    assert.equal(run.stderr, 'install.sh: must be run as root\n');
    assert.deepEqual(installed(), ['etc']);
  });

  it('prints its usage for more than one argument', () => {
    const child = spawnSync('bash', [INSTALL_SH, 'a', 'b'], {
      encoding: 'utf8',
    });
    assert.equal(child.status, 2);
    assert.equal(child.stderr, 'usage: install.sh [SOURCE_DIR]\n');
  });
});
