// The systemd units in deploy/systemd: systemd-analyze accepts them as
// install.sh installs them, they set the hardening the issue asks for,
// and the timer fires daily at 02:00 within five minutes of it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import type { SpawnSyncReturns } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { projectPath } from '../../src/paths.js';
import { InstallRoot } from '../fixtures/install-root.js';
import { readUnitFile, value, values } from '../fixtures/unit-file.js';
import type { UnitFile } from '../fixtures/unit-file.js';

const UNITS = [
  'metacrypt.service',
  'metacrypt-backup.service',
  'metacrypt-backup.timer',
];

function analyze(...args: string[]): SpawnSyncReturns<string> {
  return spawnSync('systemd-analyze', args, { encoding: 'utf8' });
}

function unit(name: string): UnitFile {
  return readUnitFile(projectPath('deploy', 'systemd', name));
}

/** The hardening both services share, directive by directive. */
const HARDENING: Readonly<Record<string, string | string[]>> = {
  User: 'metacrypt',
  Group: 'metacrypt',
  Environment: 'NODE_ENV=production',
  UMask: '0077',
  LimitCORE: '0',
  StateDirectory: 'metacrypt',
  StateDirectoryMode: '0700',
  ProtectSystem: 'strict',
  ReadWritePaths: '/var/lib/metacrypt',
  ProtectHome: 'yes',
  PrivateTmp: 'yes',
  PrivateDevices: 'yes',
  PrivateIPC: 'yes',
  PrivateMounts: 'yes',
  PrivateUsers: 'yes',
  ProtectProc: 'invisible',
  ProcSubset: 'pid',
  ProtectKernelTunables: 'yes',
  ProtectKernelModules: 'yes',
  ProtectKernelLogs: 'yes',
  ProtectControlGroups: 'yes',
  ProtectClock: 'yes',
  ProtectHostname: 'yes',
  LockPersonality: 'yes',
  NoNewPrivileges: 'yes',
  CapabilityBoundingSet: '',
  AmbientCapabilities: '',
  RestrictSUIDSGID: 'yes',
  RestrictNamespaces: 'yes',
  RestrictRealtime: 'yes',
  RemoveIPC: 'yes',
  KeyringMode: 'private',
  SystemCallArchitectures: 'native',
  SystemCallFilter: ['@system-service @pkey', '~@privileged'],
  SystemCallErrorNumber: 'EPERM',
  MemoryDenyWriteExecute: 'no',
};

function assertHardening(file: UnitFile): void {
  for (const [key, expected] of Object.entries(HARDENING)) {
    const got = values(file, 'Service', key);
    assert.deepEqual(got, Array.isArray(expected) ? expected : [expected], key);
  }
  // Why the JIT keeps writable-then-executable memory, said where it is.
  const mdwe = file.get('Service')?.get('MemoryDenyWriteExecute')?.[0];
  assert.match(mdwe?.comment ?? '', /V8.*JIT|JIT.*V8/);
}

describe('systemd-analyze on the installed units', () => {
  const root = new InstallRoot();
  const copies = join(root.scratch, 'units');
  after(() => {
    root.remove();
  });

  before(async () => {
    const run = await root.install();
    assert.equal(run.status, 0, run.stderr);

    // verify checks that each ExecStart= program exists on this host, and
    // install.sh put them under DESTDIR: so it reads copies of the
    // installed units with their /usr/local paths moved into DESTDIR.
    mkdirSync(copies);
    for (const name of UNITS) {
      const installed = readFileSync(
        root.path(`/etc/systemd/system/${name}`),
        'utf8',
      );
      writeFileSync(
        join(copies, name),
        installed.replaceAll('/usr/local/', `${root.dir}/usr/local/`),
      );
    }
  });

  it('verifies the three units with nothing to say about them', () => {
    const paths = UNITS.map((name) => join(copies, name));
    for (const path of paths.filter((p) => p.endsWith('.service'))) {
      const text = readFileSync(path, 'utf8');
      assert.ok(text.includes(`ExecStart=${root.dir}/usr/local/`), path);
    }
    const run = analyze('verify', '--man=no', ...paths);
    assert.equal(run.status, 0, run.stderr);
    const ours = `${run.stdout}${run.stderr}`
      .split('\n')
      .filter((line) => line.includes('metacrypt'));
    assert.deepEqual(ours, []);
  });

  it('rates the service OK or better in an offline security review', (t) => {
    for (const name of ['metacrypt.service', 'metacrypt-backup.service']) {
      const run = analyze(
        'security',
        '--offline=true',
        '--no-pager',
        join(copies, name),
      );
      assert.equal(run.status, 0, run.stderr);
      const level = /Overall exposure level for \S+: ([\d.]+) (\w+)/.exec(
        run.stdout,
      );
      assert.ok(level, run.stdout);
      t.diagnostic(`${name}: exposure ${level[1] ?? ''} ${level[2] ?? ''}`);
      // The two best of systemd's five ratings; the score itself is in
      // the diagnostic line, for the record.
      assert.ok(['SAFE', 'OK'].includes(level[2] ?? ''), level[0]);
    }
  });
});

describe('metacrypt.service', () => {
  const file = unit('metacrypt.service');

  it('runs the server after the network is up, restarting on failure', () => {
    assert.equal(value(file, 'Unit', 'Wants'), 'network-online.target');
    assert.equal(value(file, 'Unit', 'After'), 'network-online.target');
    assert.equal(
      value(file, 'Service', 'ExecStart'),
      '/usr/local/bin/metacrypt server --config /etc/metacrypt/metacrypt.toml',
    );
    assert.equal(value(file, 'Service', 'Restart'), 'on-failure');
    assert.equal(value(file, 'Install', 'WantedBy'), 'multi-user.target');
  });

  it('is hardened', () => {
    assertHardening(file);
    assert.equal(
      value(file, 'Service', 'RestrictAddressFamilies'),
      'AF_INET AF_INET6 AF_UNIX',
    );
    assert.deepEqual(values(file, 'Service', 'PrivateNetwork'), []);
  });
});

describe('metacrypt-backup.service', () => {
  const file = unit('metacrypt-backup.service');

  it('runs backup.sh once with 30 days of retention', () => {
    assert.equal(value(file, 'Service', 'Type'), 'oneshot');
    assert.equal(
      value(file, 'Service', 'ExecStart'),
      '/usr/local/lib/metacrypt/deploy/scripts/backup.sh 30',
    );
    // The timer starts it; it is not wanted by any target itself.
    assert.equal(file.get('Install'), undefined);
  });

  it('is hardened like the server, and has no network at all', () => {
    assertHardening(file);
    assert.equal(value(file, 'Service', 'RestrictAddressFamilies'), 'AF_UNIX');
    assert.equal(value(file, 'Service', 'PrivateNetwork'), 'yes');
    assert.equal(value(file, 'Service', 'IPAddressDeny'), 'any');
  });
});

describe('metacrypt-backup.timer', () => {
  const file = unit('metacrypt-backup.timer');

  it('fires daily at 02:00 within five minutes, and catches up', () => {
    assert.equal(value(file, 'Timer', 'OnCalendar'), '*-*-* 02:00:00');
    assert.equal(value(file, 'Timer', 'RandomizedDelaySec'), '5min');
    assert.equal(value(file, 'Timer', 'Persistent'), 'true');
    assert.equal(value(file, 'Timer', 'Unit'), 'metacrypt-backup.service');
    assert.equal(value(file, 'Install', 'WantedBy'), 'timers.target');
  });

  it('has a calendar expression systemd reads as written', () => {
    const run = analyze('calendar', value(file, 'Timer', 'OnCalendar'));
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /Normalized form: \*-\*-\* 02:00:00\n/);
    assert.match(run.stdout, /Next elapse: .* 02:00:00 /);
  });
});
