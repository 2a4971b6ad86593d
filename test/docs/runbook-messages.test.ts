// Makes the code print every message of docs/RUNBOOK.md's troubleshooting
// tables: each has a scenario, here or in runbook-scenarios.ts, that
// brings it about for real (a server that cannot start, an API refusal, a
// CLI that cannot connect, a damaged database), and the printed text must
// match the table's.
import assert from 'node:assert/strict';
import {
  chmodSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import BetterSqlite3 from 'better-sqlite3';

import { projectPath } from '../../src/paths.js';
import { CliHome } from '../fixtures/cli-process.js';
import { closedPort } from '../fixtures/stub-servers.js';
import { addrFlags } from '../fixtures/cli-target.js';
import { writeServerConfig } from '../fixtures/server-process.js';
import { PASSWORD } from '../keyworker/vault-scratch.js';
import { flipEntry, setSeal } from '../reliability/tamper-edits.js';
import { errorOf, Harness } from '../server/harness.js';
import { messagePattern, troubleMessages } from './runbook-reader.js';
import {
  backupStderr,
  INSTALLING,
  scratch,
  STARTUP,
  useScratch,
} from './runbook-scenarios.js';
import type { Scenario } from './runbook-scenarios.js';

const RUNBOOK = readFileSync(projectPath('docs', 'RUNBOOK.md'), 'utf8');

describe('docs/RUNBOOK.md troubleshooting messages', () => {
  let work = '';
  const printed = new Map<string, { message: string; text: string }>();
  const home = new CliHome();
  let h: Harness;
  let locked: Harness;
  let damaged: Harness;
  let adminToken = '';

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'metacrypt-runbook-'));
    chmodSync(work, 0o755);
    useScratch(work);
    [h, locked, damaged] = await Promise.all([
      Harness.start(),
      Harness.start({
        worker: {
          limiter: { maxFailures: 2, windowMs: 60_000, lockoutMs: 60_000 },
        },
      }),
      Harness.start(),
    ]);
  });

  after(async () => {
    await Promise.all([h.close(), locked.close(), damaged.close()]);
    home.remove();
    rmSync(work, { recursive: true, force: true });
  });

  const apiError = async (
    target: Harness,
    method: string,
    path: string,
    options: Parameters<Harness['call']>[2] = {},
  ): Promise<string> => errorOf(await target.call(method, path, options)).error;

  // Step 3: initializing and unsealing. The order matters: each scenario
  // leaves the vault as the next one needs it.
  const SEALING: [string, Scenario][] = [
    [
      'not initialized',
      () =>
        apiError(locked, 'POST', '/v1/unseal', {
          json: { password: PASSWORD },
        }),
    ],
    [
      'password must be at least <n> characters',
      () => apiError(locked, 'POST', '/v1/init', { json: { password: 'x' } }),
    ],
    [
      'already initialized',
      async () => {
        await locked.init();
        return apiError(locked, 'POST', '/v1/init', {
          json: { password: PASSWORD },
        });
      },
    ],
    [
      'invalid password',
      async () => {
        await locked.restart();
        return apiError(locked, 'POST', '/v1/unseal', {
          json: { password: `${PASSWORD}-wrong` },
        });
      },
    ],
    [
      'too many attempts: try again in <n> seconds',
      async () => {
        await locked.call('POST', '/v1/unseal', {
          json: { password: `${PASSWORD}-wrong` },
        });
        return apiError(locked, 'POST', '/v1/unseal', {
          json: { password: PASSWORD },
        });
      },
    ],
    [
      'barrier: integrity check failed: the seal configuration is damaged (<detail>)',
      async () => {
        await damaged.init();
        await damaged.restart();
        const db = new BetterSqlite3(join(damaged.dir, 'vault.db'));
        setSeal(db, 'argon2_time', 100_000);
        db.close();
        return apiError(damaged, 'POST', '/v1/unseal', {
          json: { password: PASSWORD },
        });
      },
    ],
  ];

  // Step 4: logins and requests, on a vault that is unsealed until the
  // last of them.
  const REQUESTS: [string, Scenario][] = [
    [
      'invalid credentials',
      async () => {
        await h.init();
        adminToken = await h.login('admin');
        return apiError(h, 'POST', '/v1/auth/login', {
          json: { username: 'alice', password: 'not her password' },
        });
      },
    ],
    [
      'login denied',
      () =>
        apiError(h, 'POST', '/v1/auth/login', {
          json: { username: 'dana', password: 'dana-password-7e40' },
        }),
    ],
    ['unauthenticated', () => apiError(h, 'GET', '/v1/auth/tokeninfo')],
    [
      'forbidden',
      async () =>
        apiError(h, 'GET', '/v1/policy/rules', {
          token: await h.login('alice'),
        }),
    ],
    [
      'barrier: integrity check failed for <path>',
      async () => {
        const rule = {
          id: 'runbook-r1',
          priority: 10,
          effect: 'allow',
          usernames: ['alice'],
          resources: ['engine/transit/*'],
          actions: ['read'],
        };
        const made = await h.call('POST', '/v1/policy/rules', {
          json: rule,
          token: adminToken,
        });
        assert.equal(made.status, 201);
        await h.restart();
        const db = new BetterSqlite3(join(h.dir, 'vault.db'));
        flipEntry(db, 'sys/policy/rules/runbook-r1', 'middle');
        db.close();
        await h.unseal();
        return apiError(h, 'GET', '/v1/policy/rule/runbook-r1', {
          token: adminToken,
        });
      },
    ],
    [
      'too many attempts: try again in <n> seconds',
      async () => {
        await h.restart({ server: { auth_rate_limit: 2 } });
        await h.unseal();
        for (let i = 0; i < 2; i += 1) {
          await h.call('POST', '/v1/auth/login', {
            json: { username: 'alice', password: 'x' },
          });
        }
        return apiError(h, 'POST', '/v1/auth/login', {
          json: { username: 'alice', password: 'x' },
        });
      },
    ],
    [
      'mcias unavailable: <reason>',
      async () => {
        const port = await closedPort();
        await h.restart({
          mcias: { server_url: `https://127.0.0.1:${String(port)}` },
        });
        await h.unseal();
        return apiError(h, 'POST', '/v1/auth/login', {
          json: { username: 'alice', password: 'alice-password-93ab' },
        });
      },
    ],
    [
      'sealed',
      async () => {
        await h.restart();
        return apiError(h, 'GET', '/v1/engine/mounts', { token: adminToken });
      },
    ],
  ];

  // Step 5: the command line and the database file.
  const FILES: [string, Scenario][] = [
    [
      'cannot reach <addr>: connection refused',
      async () => {
        const url = `https://127.0.0.1:${String(await closedPort())}`;
        return (await home.run(['status', ...addrFlags(url)])).stderr;
      },
    ],
    [
      'cannot reach <addr>: certificate not trusted (pass --ca-cert)',
      async () => (await home.run(['status', '--addr', h.url])).stderr,
    ],
    [
      'db: snapshot: <file> already exists',
      async () => {
        const dir = scratch('snapshot-twice');
        const config = writeServerConfig(join(dir, 'metacrypt.toml'), {
          database: join(h.dir, 'vault.db'),
        });
        const output = join(dir, 'copy.db');
        const args = ['snapshot', '--config', config, '--output', output];
        assert.equal((await home.run(args)).status, 0);
        return (await home.run(args)).stderr;
      },
    ],
    [
      'db: integrity check failed: <detail>',
      async () => {
        const dir = scratch('damaged-file');
        const config = writeServerConfig(join(dir, 'metacrypt.toml'), {
          database: join(h.dir, 'vault.db'),
        });
        const copy = join(dir, 'copy.db');
        await home.run(['snapshot', '--config', config, '--output', copy]);
        const bytes = readFileSync(copy);
        // Page 2 is the first table's root page; pages are 4096 bytes.
        bytes.fill(0xff, 4096, 4096 + 256);
        writeFileSync(copy, bytes);
        return (await home.run(['snapshot', 'verify', copy])).stderr;
      },
    ],
    [
      'db: schema version <n> is newer than this build supports (<m>); upgrade metacrypt',
      async () => {
        const dir = scratch('newer-schema');
        const config = writeServerConfig(join(dir, 'metacrypt.toml'), {
          database: join(h.dir, 'vault.db'),
        });
        const copy = join(dir, 'copy.db');
        await home.run(['snapshot', '--config', config, '--output', copy]);
        const db = new BetterSqlite3(copy);
        db.prepare(
          'INSERT INTO schema_migrations (version, name, applied_at) ' +
            "VALUES (999, 'future', '2030-01-01T00:00:00.000Z')",
        ).run();
        db.close();
        return (await home.run(['snapshot', 'verify', copy])).stderr;
      },
    ],
    [
      'backup.sh: snapshot to <file> failed: <reason>',
      async () => {
        const dir = scratch('backup-fails');
        const config = writeServerConfig(join(dir, 'metacrypt.toml'), {
          database: join(dir, 'missing.db'),
        });
        return backupStderr(dir, config);
      },
    ],
    [
      'backup.sh: backup directory <dir> does not exist',
      async () => {
        const dir = scratch('backup-no-dir');
        const config = writeServerConfig(join(dir, 'metacrypt.toml'), {
          database: join(h.dir, 'vault.db'),
        });
        return backupStderr(join(dir, 'backups'), config);
      },
    ],
  ];

  // The scenarios in the order they must run, by what they are about.
  const TABLES: [string, [string, Scenario][]][] = [
    ['The server does not start', Object.entries(STARTUP)],
    ['Installing and the container', Object.entries(INSTALLING)],
    ['Initializing or unsealing fails', SEALING],
    ['Logins and requests fail', REQUESTS],
    ['The CLI and the database file', FILES],
  ];

  it('prints each message a scenario brings about', async () => {
    for (const [table, scenarios] of TABLES) {
      for (const [message, scenario] of scenarios) {
        printed.set(`${table}: ${message}`, {
          message,
          text: await scenario(),
        });
      }
    }

    const mismatches = [...printed.values()]
      .filter(({ message, text }) => !messagePattern(message).test(text))
      .map(({ message, text }) => `${message}\n  printed: ${text.trim()}`);
    assert.deepEqual(mismatches, []);
  });

  it('has a scenario for every message in the tables, and no other', () => {
    // The same message may stand in two tables (a 429 from the unseal
    // lockout and from the login rate limit): counted as often as it does.
    const inRunbook = troubleMessages(RUNBOOK).map((m) => m.message);
    assert.ok(inRunbook.length >= 20, `only ${String(inRunbook.length)}`);
    const scenarios = [...printed.values()].map((p) => p.message);
    assert.deepEqual([...inRunbook].sort(), scenarios.sort());
  });

  it('reads a placeholder as some text, not as anything', () => {
    const pattern = messagePattern('db: snapshot: <file> already exists');
    assert.ok(pattern.test('db: snapshot: /tmp/a.db already exists\n'));
    assert.ok(!pattern.test('db: snapshot: already exists'));
    assert.ok(!pattern.test('db: open: /tmp/a.db (no such file)'));
  });
});
