// deploy/scripts/backup.sh on a real vault made by `metacrypt init`: the
// snapshot it writes is private, sound and unseals; it prunes only its own
// old backups, and only after a good snapshot; every failure says what.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import Database from 'better-sqlite3';

import { projectPath } from '../../src/paths.js';
import { collectOutput } from '../fixtures/child-output.js';
import type { ChildResult } from '../fixtures/child-output.js';
import { CliHome, writeCliWrapper } from '../fixtures/cli-process.js';
import { writeServerConfig } from '../fixtures/server-process.js';
import { PASSWORD } from '../keyworker/vault-scratch.js';

const BACKUP_SH = projectPath('deploy', 'scripts', 'backup.sh');
const USAGE = 'usage: backup.sh RETENTION_DAYS\n';
const NAME = /^metacrypt-(\d{8})-(\d{6})\.db$/;
const DAY_MS = 24 * 60 * 60 * 1000;

/** stamp is a backup name's timestamp for a moment, in UTC. */
function stamp(at: Date): string {
  return at.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
}

/** aged writes a file at path whose modification time is days ago. */
function aged(path: string, days: number): void {
  writeFileSync(path, 'an older backup', { mode: 0o600 });
  const when = new Date(Date.now() - days * DAY_MS);
  utimesSync(path, when, when);
}

/** The old entries each backup directory starts with, by age in days. */
const OLD = { expired: [40, 31], kept: [29, 1] } as const;

describe('backup.sh', () => {
  const work = mkdtempSync(join(tmpdir(), 'metacrypt-backup-'));
  const home = new CliHome();
  after(() => {
    home.remove();
    rmSync(work, { recursive: true, force: true });
  });

  const config = writeServerConfig(join(work, 'metacrypt.toml'), {
    database: join(work, 'metacrypt.db'),
  });
  // METACRYPT_BIN: this repository's command, as the installed wrapper
  // runs the installed one.
  const bin = writeCliWrapper(join(work, 'metacrypt'));

  // backupDir makes a backup directory holding old backups, a file that
  // is not one of ours, older than any, and a directory named like one.
  let dirs = 0;
  const backupDir = (): { dir: string; expired: string[]; kept: string[] } => {
    dirs += 1;
    const dir = join(work, `backups-${String(dirs)}`);
    mkdirSync(dir, { mode: 0o700 });
    const place = (days: number): string => {
      const name = `metacrypt-${stamp(new Date(Date.now() - days * DAY_MS))}.db`;
      aged(join(dir, name), days);
      return name;
    };
    const expired = OLD.expired.map(place);
    const kept = OLD.kept.map(place);
    aged(join(dir, 'notes.txt'), 100);
    aged(join(dir, 'metacrypt-2020.db'), 100);
    const lookalike = join(dir, 'metacrypt-20200101-000000.db');
    mkdirSync(lookalike);
    utimesSync(lookalike, new Date(0), new Date(0));
    kept.push('notes.txt', 'metacrypt-2020.db', 'metacrypt-20200101-000000.db');
    return { dir, expired, kept };
  };

  const backup = (
    args: readonly string[],
    env: Readonly<Record<string, string>> = {},
  ): Promise<ChildResult> => {
    const child = spawn('bash', [BACKUP_SH, ...args], {
      env: home.env({
        METACRYPT_CONFIG: config,
        METACRYPT_BIN: bin,
        ...env,
      }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return collectOutput(child);
  };

  before(async () => {
    const init = await home.run(
      ['init', '--config', config, '--password-stdin'],
      { stdin: `${PASSWORD}\n` },
    );
    assert.equal(init.status, 0, init.stderr);
  });

  it('writes a checked snapshot, then prunes its own expired backups', async () => {
    const { dir, kept } = backupDir();
    const started = stamp(new Date());
    const run = await backup(['30'], { METACRYPT_BACKUP_DIR: dir });
    const ended = stamp(new Date());
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stderr, '');

    // What it says: the file, and how many went.
    const lines = run.stdout.split('\n');
    const written = /^backup written and checked: (.+)$/.exec(lines[0] ?? '');
    assert.ok(written, run.stdout);
    const file = written[1] ?? '';
    assert.equal(lines[1], 'old backups removed: 2 (older than 30 days)');
    assert.equal(lines.length, 3);

    // The new file: our name, a UTC time between start and end, private.
    const name = file.slice(dir.length + 1);
    assert.equal(file, join(dir, name));
    const parts = NAME.exec(name);
    assert.ok(parts, name);
    const at = `${parts[1] ?? ''}-${parts[2] ?? ''}`;
    assert.ok(started <= at && at <= ended, `${started} ${at} ${ended}`);
    assert.equal(statSync(file).mode & 0o777, 0o600);

    // What is left: the snapshot, the recent backups, everything not ours.
    assert.deepEqual(readdirSync(dir).sort(), [...kept, name].sort());

    // It is a sound SQLite file, and the seal password opens it.
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
      assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
    } finally {
      db.close();
    }
    const verify = await home.run(
      ['snapshot', 'verify', file, '--password-stdin'],
      { stdin: `${PASSWORD}\n` },
    );
    assert.equal(verify.status, 0, verify.stderr);
    assert.match(
      verify.stdout,
      /integrity ok, schema version \d+ .*initialized/,
    );
    assert.match(verify.stdout, /seal password: opens it\n/);
  });

  it('with RETENTION_DAYS 0 keeps only the snapshot it just wrote', async () => {
    const { dir } = backupDir();
    const run = await backup(['0'], { METACRYPT_BACKUP_DIR: dir });
    assert.equal(run.status, 0, run.stderr);
    const written = /^backup written and checked: .*\/([^/\n]+)$/m.exec(
      run.stdout,
    );
    assert.ok(written, run.stdout);
    assert.match(run.stdout, /^old backups removed: 4 \(older than 0 days\)$/m);
    assert.deepEqual(
      readdirSync(dir).sort(),
      [
        written[1] ?? '',
        'metacrypt-20200101-000000.db',
        'metacrypt-2020.db',
        'notes.txt',
      ].sort(),
    );
  });

  for (const args of [[], ['abc'], ['-1'], ['1.5'], ['30', '40']]) {
    it(`prints its usage for arguments [${args.join(' ')}]`, async () => {
      const { dir, expired, kept } = backupDir();
      const run = await backup(args, { METACRYPT_BACKUP_DIR: dir });
      assert.equal(run.status, 2);
      assert.equal(run.stderr, USAGE);
      assert.equal(run.stdout, '');
      assert.deepEqual(readdirSync(dir).sort(), [...expired, ...kept].sort());
    });
  }

  it('prunes nothing when the database cannot be copied', async () => {
    const { dir, expired, kept } = backupDir();
    const missing = join(work, 'missing.db');
    const other = writeServerConfig(join(work, 'missing.toml'), {
      database: missing,
    });
    const run = await backup(['30'], {
      METACRYPT_BACKUP_DIR: dir,
      METACRYPT_CONFIG: other,
    });
    assert.equal(run.status, 1);
    assert.equal(run.stdout, '');
    assert.match(
      run.stderr,
      new RegExp(
        `^backup\\.sh: snapshot to ${dir}/metacrypt-\\d{8}-\\d{6}\\.db ` +
          `failed: db: open: no such file or directory \\(${missing}\\)\\n$`,
      ),
    );
    assert.deepEqual(readdirSync(dir).sort(), [...expired, ...kept].sort());
  });

  it('removes a snapshot that fails its check, and prunes nothing', async () => {
    const { dir, expired, kept } = backupDir();
    // A command whose check always fails, the copy being real.
    const failing = join(work, 'metacrypt-failing-check');
    writeFileSync(
      failing,
      '#!/bin/sh\n' +
        'if [ "$2" = verify ]; then echo "db: inspect: damaged" >&2; exit 1; fi\n' +
        `exec '${bin}' "$@"\n`,
    );
    chmodSync(failing, 0o755);
    const run = await backup(['30'], {
      METACRYPT_BACKUP_DIR: dir,
      METACRYPT_BIN: failing,
    });
    assert.equal(run.status, 1);
    assert.match(
      run.stderr,
      new RegExp(
        `^backup\\.sh: check of ${dir}/metacrypt-\\d{8}-\\d{6}\\.db ` +
          'failed, removed it: db: inspect: damaged\\n$',
      ),
    );
    assert.deepEqual(readdirSync(dir).sort(), [...expired, ...kept].sort());
  });

  it('refuses a backup directory that does not exist', async () => {
    const dir = join(work, 'nowhere');
    const run = await backup(['30'], { METACRYPT_BACKUP_DIR: dir });
    assert.equal(run.status, 1);
    assert.equal(
      run.stderr,
      `backup.sh: backup directory ${dir} does not exist\n`,
    );
    assert.ok(!existsSync(dir));
  });

  it('refuses a backup directory it cannot write to', async () => {
    // root writes anywhere, so as root the script runs as nobody, on files
    // nobody can read; the directory is read-only for everyone.
    const open = mkdtempSync(join(tmpdir(), 'metacrypt-backup-ro-'));
    try {
      chmodSync(open, 0o755);
      const dir = join(open, 'backups');
      mkdirSync(dir, { mode: 0o555 });
      const readable = join(open, 'metacrypt.toml');
      writeFileSync(readable, '', { mode: 0o644 });
      const script = [BACKUP_SH, '30'];
      const nobody = ['--reuid=65534', '--regid=65534', '--clear-groups'];
      const [command, args] =
        process.getuid?.() === 0
          ? ['setpriv', [...nobody, 'bash', ...script]]
          : ['bash', script];
      const child = spawn(command, args, {
        env: home.env({
          METACRYPT_CONFIG: readable,
          METACRYPT_BIN: '/bin/true',
          METACRYPT_BACKUP_DIR: dir,
        }),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const run = await collectOutput(child);
      assert.equal(run.status, 1);
      assert.equal(
        run.stderr,
        `backup.sh: backup directory ${dir} is not writable\n`,
      );
      assert.deepEqual(readdirSync(dir), []);
    } finally {
      rmSync(open, { recursive: true, force: true });
    }
  });

  it('refuses a configuration it cannot read', async () => {
    const { dir } = backupDir();
    const absent = join(work, 'absent.toml');
    const run = await backup(['30'], {
      METACRYPT_BACKUP_DIR: dir,
      METACRYPT_CONFIG: absent,
    });
    assert.equal(run.status, 1);
    assert.equal(
      run.stderr,
      `backup.sh: cannot read the configuration ${absent}\n`,
    );
  });
});
