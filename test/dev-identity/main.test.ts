// bin/mcias-dev.js as a real process: the refusal without --development,
// the listening line, clean stops, flag and file errors, hash-password.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import * as argon2 from 'argon2';

import { projectPath } from '../../src/paths.js';
import {
  startIdentityProcess,
  writeUsersFile,
} from '../fixtures/identity-process.js';
import { TLS_FILES } from '../fixtures/tls-files.js';

const work = mkdtempSync(join(tmpdir(), 'metacrypt-mcias-dev-'));
after(() => {
  rmSync(work, { recursive: true, force: true });
});

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function mciasDev(args: string[], input?: string): Run {
  const result = spawnSync(
    process.execPath,
    [projectPath('bin', 'mcias-dev.js'), ...args],
    { cwd: work, encoding: 'utf8', ...(input === undefined ? {} : { input }) },
  );
  return {
    status: result.status,
    stdout: result.stdout,
    stderr: result.stderr,
  };
}

const TLS_FLAGS = [
  '--tls-cert',
  TLS_FILES.serverCert,
  '--tls-key',
  TLS_FILES.serverKey,
];

describe('bin/mcias-dev.js', () => {
  it('refuses to start without --development and exits 2', () => {
    const usersFile = join(work, 'never-read.toml');
    const run = mciasDev(['--users', usersFile, ...TLS_FLAGS]);
    assert.equal(run.status, 2);
    assert.equal(
      run.stderr,
      'dev identity server: refusing to start without --development; ' +
        'it is for development and tests only\n',
    );
    assert.equal(run.stdout, '');
  });

  it('prints one listening line and exits 0 on SIGTERM', async () => {
    const identity = await startIdentityProcess();
    await identity.stop();
    assert.equal(identity.process.exitCode, 0);

    const lines = identity
      .output()
      .split('\n')
      .filter((line) => line !== '');
    const parsed = lines.map((line) => JSON.parse(line) as object);
    const listening = parsed.filter(
      (line) => 'msg' in line && line.msg === 'dev identity server listening',
    );
    assert.equal(listening.length, 1);
    assert.deepEqual(Object.keys(listening[0] ?? {}), ['msg', 'url']);
    assert.deepEqual(listening[0], {
      msg: 'dev identity server listening',
      url: identity.url,
    });
    assert.match(identity.url, /^https:\/\/127\.0\.0\.1:\d+$/);
  });

  it('exits 0 on SIGINT', async () => {
    const identity = await startIdentityProcess();
    const exited = new Promise<number | null>((resolve) => {
      identity.process.once('exit', resolve);
    });
    identity.process.kill('SIGINT');
    assert.equal(await exited, 0);
  });

  it('exits 2 naming the file and the field of a bad users file', () => {
    const usersFile = join(work, 'bad.toml');
    writeFileSync(usersFile, '[[users]]\nusername = "alice"\n');
    const run = mciasDev(['--development', '--users', usersFile, ...TLS_FLAGS]);
    assert.equal(run.status, 2);
    assert.equal(
      run.stderr,
      `dev identity server: ${usersFile}: users[0].password_hash is required\n`,
    );
  });

  it('exits 2 with one line for each kind of bad flag', async () => {
    const usersFile = join(work, 'good.toml');
    await writeUsersFile(usersFile, [{ username: 'a', password: 'pw' }]);
    const base = ['--development', '--users', usersFile];
    const missing = join(work, 'missing.pem');
    const cases: [string[], string][] = [
      [[...base, ...TLS_FLAGS, '--colour'], "unknown option '--colour'"],
      [[...base, '--tls-key', TLS_FILES.serverKey], '--tls-cert is required'],
      [['--development', ...TLS_FLAGS], '--users is required'],
      [
        [...base, ...TLS_FLAGS, '--listen', 'localhost'],
        '--listen must be HOST:PORT, such as 127.0.0.1:8200',
      ],
      [
        [...base, ...TLS_FLAGS, '--token-ttl', '0'],
        '--token-ttl must be a whole number of seconds, at least 1',
      ],
      [
        [...base, ...TLS_FLAGS, '--log-level', 'loud'],
        '--log-level must be one of error, warn, info, debug',
      ],
      [
        [...base, '--tls-cert', missing, '--tls-key', TLS_FILES.serverKey],
        `--tls-cert ${missing}: no such file or directory`,
      ],
      [
        [...base, '--tls-cert', usersFile, '--tls-key', TLS_FILES.serverKey],
        'tls: the certificate or key is not usable PEM',
      ],
      [[...base, ...TLS_FLAGS, 'serve'], 'unknown command serve'],
    ];
    for (const [args, message] of cases) {
      const run = mciasDev(args);
      assert.equal(run.status, 2, args.join(' '));
      assert.equal(run.stderr, `dev identity server: ${message}\n`);
    }
  });

  it('exits 2 when the port is taken', async () => {
    const identity = await startIdentityProcess();
    try {
      const usersFile = join(work, 'port.toml');
      await writeUsersFile(usersFile, [{ username: 'a', password: 'pw' }]);
      const hostPort = identity.url.replace('https://', '');
      const run = mciasDev([
        '--development',
        '--users',
        usersFile,
        ...TLS_FLAGS,
        '--listen',
        hostPort,
      ]);
      assert.equal(run.status, 2);
      assert.equal(
        run.stderr,
        `dev identity server: listen ${hostPort}: address in use\n`,
      );
    } finally {
      await identity.stop();
    }
  });

  it('prints usage for --help', () => {
    const run = mciasDev(['--help']);
    assert.equal(run.status, 0);
    assert.match(run.stdout, /^usage:/);
  });
});

describe('bin/mcias-dev.js hash-password', () => {
  it('prints an argon2id hash of the password read from stdin', async () => {
    const run = mciasDev(['hash-password'], 'a dev password\n');
    assert.equal(run.status, 0, run.stderr);
    const hash = run.stdout.trimEnd();
    assert.match(hash, /^\$argon2id\$v=19\$/);
    assert.ok(await argon2.verify(hash, 'a dev password'));
    assert.ok(!(await argon2.verify(hash, 'a dev password\n')));
    assert.ok(!run.stdout.includes('a dev password'));
  });

  it('refuses an empty password', () => {
    const run = mciasDev(['hash-password'], '\n');
    assert.equal(run.status, 2);
    assert.equal(run.stderr, 'hash-password: empty password\n');
  });
});
