// `metacrypt snapshot verify`, run as a real process: a sound snapshot,
// one the seal password opens or not, a damaged, missing or newer one;
// and the file checked is never written to.
import assert from 'node:assert/strict';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import BetterSqlite3 from 'better-sqlite3';

import { CliHome } from '../fixtures/cli-process.js';
import { writeServerConfig } from '../fixtures/server-process.js';
import { PASSWORD } from '../keyworker/vault-scratch.js';

// The files a directory holds and their bytes, to compare before/after.
function contents(dir: string): Map<string, string> {
  return new Map(
    readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => entry.name)
      .sort()
      .map((name) => [name, readFileSync(join(dir, name)).toString('hex')]),
  );
}

describe('metacrypt snapshot verify', () => {
  const work = mkdtempSync(join(tmpdir(), 'metacrypt-verify-cli-'));
  const snaps = join(work, 'snaps');
  const snap = join(snaps, 'snap.db');
  const database = join(work, 'vault.db');
  const home = new CliHome();
  before(async () => {
    // A vault initialized on its file, then snapshotted, both offline.
    mkdirSync(snaps);
    const config = writeServerConfig(join(work, 'vault.toml'), { database });
    const init = await home.run(['init', '-c', config, '--password-stdin'], {
      stdin: `${PASSWORD}\n`,
    });
    assert.equal(init.status, 0, init.stderr);
    const run = await home.run(['snapshot', '-c', config, '-o', snap]);
    assert.equal(run.status, 0, run.stderr);
  });
  after(() => {
    home.remove();
    rmSync(work, { recursive: true, force: true });
  });

  it('reports a sound snapshot and writes nothing', async () => {
    const unchanged = contents(snaps);
    const run = await home.run(['snapshot', 'verify', snap]);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(
      run.stdout,
      `${snap}: integrity ok, schema version 1 (this build: 1), ` +
        'initialized\n',
    );
    const json = await home.run(['snapshot', 'verify', snap, '--json']);
    assert.deepEqual(JSON.parse(json.stdout), {
      path: snap,
      integrity: 'ok',
      schema_version: 1,
      initialized: true,
      password_checked: false,
    });
    assert.deepEqual(contents(snaps), unchanged);
  });

  it('proves the password opens it, from stdin, on a copy', async () => {
    const unchanged = contents(snaps);
    const run = await home.run(
      ['snapshot', 'verify', snap, '--password-stdin', '--json'],
      { stdin: `${PASSWORD}\n` },
    );
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), {
      path: snap,
      integrity: 'ok',
      schema_version: 1,
      initialized: true,
      password_checked: true,
    });
    assert.deepEqual(contents(snaps), unchanged);
  });

  it('asks for the password with --check-password, echoing nothing', async () => {
    const tty = await home.runTty(
      ['snapshot', 'verify', snap, '--check-password'],
      [{ expect: 'Seal password: ', send: `${PASSWORD}\r` }],
    );
    assert.equal(tty.status, 0, tty.output);
    assert.match(tty.output, /seal password: opens it/);
    assert.ok(!tty.output.includes(PASSWORD), 'the password was echoed');
  });

  it('refuses --check-password on a stdin that is not a terminal', async () => {
    const run = await home.run(
      ['snapshot', 'verify', snap, '--check-password'],
      {
        stdin: PASSWORD,
      },
    );
    assert.equal(run.status, 1);
    assert.equal(
      run.stderr,
      'stdin is not a terminal: pass --password-stdin to read the ' +
        'password from it\n',
    );
  });

  it('exits 1 with invalid password for a wrong one', async () => {
    const unchanged = contents(snaps);
    const run = await home.run(
      ['snapshot', 'verify', snap, '--password-stdin'],
      { stdin: 'correct horse battery stable\n' },
    );
    assert.equal(run.status, 1);
    assert.equal(run.stderr, 'invalid password\n');
    const json = await home.run(
      ['snapshot', 'verify', snap, '--password-stdin', '--json'],
      { stdin: 'correct horse battery stable\n' },
    );
    assert.equal(json.status, 1);
    assert.deepEqual(JSON.parse(json.stdout), {
      error: 'invalid password',
      code: 'invalid_password',
    });
    // The failures were counted on the copy, not on the snapshot.
    assert.deepEqual(contents(snaps), unchanged);
  });

  it('exits 1 naming a damaged file', async () => {
    const path = join(work, 'damaged.db');
    const bytes = readFileSync(snap);
    // Page 2 is the first table's root page; the page size is 4096.
    bytes.fill(0xff, 4096, 4096 + 256);
    writeFileSync(path, bytes);
    const run = await home.run(['snapshot', 'verify', path, '--json']);
    assert.equal(run.status, 1);
    assert.deepEqual(JSON.parse(run.stdout), {
      error: `db: integrity check failed: database disk image is malformed (${path})`,
      code: 'db_integrity',
    });
  });

  it('exits 1 naming a file that does not exist', async () => {
    const path = join(work, 'no-such.db');
    const run = await home.run(['snapshot', 'verify', path]);
    assert.equal(run.status, 1);
    assert.equal(run.stderr, `db: open: no such file or directory (${path})\n`);
  });

  it('exits 1 for a schema newer than this build', async () => {
    const path = join(work, 'newer.db');
    writeFileSync(path, readFileSync(snap));
    const db = new BetterSqlite3(path);
    db.prepare(
      'INSERT INTO schema_migrations (version, name, applied_at) ' +
        "VALUES (2, 'future', '2030-01-01T00:00:00.000Z')",
    ).run();
    db.close();
    const run = await home.run(['snapshot', 'verify', path]);
    assert.equal(run.status, 1);
    assert.equal(
      run.stderr,
      'db: schema version 2 is newer than this build supports (1); ' +
        'upgrade metacrypt\n',
    );
  });

  it('checks a live database file without leaving a -wal beside it', async () => {
    const unchanged = contents(work);
    const run = await home.run(
      ['snapshot', 'verify', database, '--password-stdin'],
      { stdin: `${PASSWORD}\n` },
    );
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /seal password: opens it/);
    assert.deepEqual(contents(work), unchanged);
  });
});
