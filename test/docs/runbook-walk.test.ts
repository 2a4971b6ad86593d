// Walks docs/RUNBOOK.md on a host of its own: the TLS recipe, the example
// configuration, init, every curl command, a snapshot, the backup script
// and the restore steps, each run as the runbook prints it. The host's
// /etc/metacrypt and /var/lib/metacrypt are rooted in a scratch directory,
// https://localhost:8443 is the test server's port, and the placeholders
// are filled in; nothing else of a command is changed.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';

import { projectPath } from '../../src/paths.js';
import { CliHome, writeCliWrapper } from '../fixtures/cli-process.js';
import { devUser, startIdentityProcess } from '../fixtures/identity-process.js';
import type { IdentityProcess } from '../fixtures/identity-process.js';
import { startServerProcess } from '../fixtures/server-process.js';
import type { ServerProcess } from '../fixtures/server-process.js';
import { PASSWORD } from '../keyworker/vault-scratch.js';
import { commandLines, fencedBlocks, shellWords } from './runbook-reader.js';

const run = promisify(execFile);
const RUNBOOK = readFileSync(projectPath('docs', 'RUNBOOK.md'), 'utf8');
const COMMANDS = commandLines(RUNBOOK);
const ALICE = devUser('alice').password;
const ADMIN = devUser('admin').password;

/** line returns the one runbook command that starts with prefix. */
function line(prefix: string): string {
  const found = new Set(
    COMMANDS.filter((c) => c.text.startsWith(prefix)).map((c) => c.text),
  );
  assert.equal(found.size, 1, `commands starting "${prefix}"`);
  return [...found][0] ?? '';
}

describe('docs/RUNBOOK.md, walked', () => {
  const home = new CliHome();
  let root = '';
  let stubs = '';
  let identity: IdentityProcess;
  let server: ServerProcess | undefined;
  let addr = '';
  let adminToken = '';
  const env: Record<string, string> = {};

  // The host's paths, rooted in the scratch directory.
  const onHost = (text: string): string =>
    text
      .replaceAll('/etc/metacrypt', join(root, 'etc/metacrypt'))
      .replaceAll('/var/lib/metacrypt', join(root, 'var/lib/metacrypt'))
      .replaceAll('https://localhost:8443', addr);

  const sh = async (command: string): Promise<string> => {
    const result = await run('bash', ['-euo', 'pipefail', '-c', command], {
      env: { ...home.env(), ...env },
      cwd: root,
    });
    return result.stdout;
  };

  const startServer = async (): Promise<void> => {
    server = await startServerProcess(
      join(root, 'etc/metacrypt/metacrypt.toml'),
      root,
    );
    addr = server.url.replace('127.0.0.1', 'localhost');
    env.METACRYPT_ADDR = addr;
  };

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'metacrypt-runbook-host-'));
    mkdirSync(join(root, 'var/lib/metacrypt/backups'), {
      recursive: true,
      mode: 0o700,
    });
    identity = await startIdentityProcess();

    // There is no metacrypt user on a test machine: chown is a stub that
    // writes down what it was asked, and `metacrypt` is this build.
    stubs = join(root, 'bin');
    mkdirSync(stubs);
    writeFileSync(
      join(stubs, 'chown'),
      `#!/bin/sh\necho "$*" >> '${join(root, 'chown.log')}'\n`,
      { mode: 0o755 },
    );
    writeCliWrapper(join(stubs, 'metacrypt'));
    Object.assign(env, {
      PATH: `${stubs}:${process.env.PATH ?? '/usr/bin:/bin'}`,
      LC_ALL: 'C',
      METACRYPT_CA_CERT: join(root, 'etc/metacrypt/certs/server.crt'),
    });
  });

  after(async () => {
    await server?.stop();
    await identity.stop();
    home.remove();
    rmSync(root, { recursive: true, force: true });
  });

  it('makes a certificate with the TLS recipe', async () => {
    const block = fencedBlocks(RUNBOOK).find(
      (b) => b.heading === 'TLS' && b.lang === 'sh',
    );
    assert.ok(block !== undefined, 'no sh block under "### TLS"');
    await sh(onHost(block.text));

    const certs = join(root, 'etc/metacrypt/certs');
    assert.equal(statSync(join(certs, 'server.key')).mode & 0o777, 0o600);
    const cert = new X509Certificate(readFileSync(join(certs, 'server.crt')));
    assert.match(cert.subjectAltName ?? '', /DNS:localhost/);
    assert.match(cert.subjectAltName ?? '', /IP Address:127\.0\.0\.1/);
    assert.equal(cert.publicKey.asymmetricKeyDetails?.namedCurve, 'secp384r1');
    assert.equal(
      readFileSync(join(root, 'chown.log'), 'utf8'),
      'metacrypt:metacrypt server.key server.crt\n',
    );
  });

  it('serves the example configuration with that certificate', async () => {
    // The example as shipped, with the host's paths, a free port, the
    // test's identity server, and Argon2id cheap enough for a test.
    const example = readFileSync(
      projectPath('deploy', 'examples', 'metacrypt.toml'),
      'utf8',
    );
    const config = onHost(example)
      .replace('listen_addr = ":8443"', 'listen_addr = "127.0.0.1:0"')
      .replace(/^server_url = .*$/m, `server_url = "${identity.url}"`)
      .replace(/^argon2_time = \d+/m, 'argon2_time = 1')
      .replace(/^argon2_memory = \d+/m, 'argon2_memory = 256')
      .replace(/^argon2_threads = \d+/m, 'argon2_threads = 1');
    writeFileSync(join(root, 'etc/metacrypt/metacrypt.toml'), config);
    writeFileSync(
      join(root, 'etc/metacrypt/certs/mcias-ca.crt'),
      identity.caPem,
    );
    await startServer();
    assert.equal(
      await sh(
        `curl -sS --cacert "$METACRYPT_CA_CERT" "$METACRYPT_ADDR/v1/status"`,
      ),
      '{"state":"uninitialized"}',
    );
  });

  it('initializes with the init line, typing the password', async () => {
    const words = shellWords(onHost(line('metacrypt init --addr')));
    const tty = await home.runTty(words.slice(1), [
      { expect: 'Seal password: ', send: `${PASSWORD}\r` },
      { expect: 'Repeat seal password: ', send: `${PASSWORD}\r` },
    ]);
    assert.equal(tty.status, 0, tty.output);
    assert.match(tty.output, /it is unsealed/);
  });

  it('runs every curl command, with the replies they stand for', async () => {
    const curls = COMMANDS.filter((c) => c.fenced && c.text.startsWith('curl'));
    const ran = new Set<string>();
    const curl = async (
      prefix: string,
      fill: Record<string, string> = {},
    ): Promise<Record<string, unknown>> => {
      const matching = curls.filter((c) =>
        c.text.replace(/-X \S+ /, '').includes(prefix),
      );
      assert.ok(matching.length > 0, `no curl for ${prefix}`);
      let reply: Record<string, unknown> = {};
      for (const command of matching) {
        let text = command.text;
        for (const [name, value] of Object.entries(fill)) {
          text = text.replaceAll(`<${name}>`, value);
        }
        const out = await sh(onHost(text));
        reply = out.startsWith('{')
          ? (JSON.parse(out) as Record<string, unknown>)
          : { text: out };
        ran.add(command.text);
      }
      return reply;
    };

    // Step 1: an admin's token, as the Authentication section gets one.
    const adminLogin = await sh(
      'curl -sS --cacert "$METACRYPT_CA_CERT" -X POST ' +
        '"$METACRYPT_ADDR/v1/auth/login" ' +
        `-d '{"username":"admin","password":"${ADMIN}"}'`,
    );
    adminToken = (JSON.parse(adminLogin) as { token: string }).token;

    // Step 2: the runbook's own commands, in an order that works.
    assert.deepEqual(await curl('/v1/status"'), { state: 'unsealed' });
    const login = await curl('/v1/auth/login"', { password: ALICE });
    assert.equal(typeof login.token, 'string');
    const info = await curl('/v1/auth/tokeninfo"', {
      token: String(login.token),
    });
    assert.equal(info.username, 'alice');
    const metrics = await curl('/v1/metrics"', { 'admin-token': adminToken });
    assert.match(
      String(metrics.text),
      /metacrypt_seal_state\{state="unsealed"\} 1/,
    );
    assert.deepEqual(await curl('/v1/seal"', { 'admin-token': adminToken }), {
      state: 'sealed',
    });
    assert.deepEqual(await curl('/v1/unseal"', { 'seal-password': PASSWORD }), {
      state: 'unsealed',
    });

    assert.deepEqual(
      curls.map((c) => c.text).filter((t) => !ran.has(t)),
      [],
      'curl commands of the runbook this walk did not run',
    );
  });

  it('backs up with the snapshot line and backup.sh', async () => {
    const rule = JSON.stringify({
      id: 'before-backup',
      priority: 5,
      effect: 'allow',
      roles: ['user'],
      resources: ['engine/transit/*'],
      actions: ['read'],
    });
    await sh(
      'curl -sS -f --cacert "$METACRYPT_CA_CERT" -X POST ' +
        `"$METACRYPT_ADDR/v1/policy/rules" -H "Authorization: Bearer ${adminToken}" ` +
        `-d '${rule}'`,
    );

    await sh(
      onHost(
        line(
          'metacrypt snapshot --config /etc/metacrypt/metacrypt.toml ' +
            '--output /var/lib/metacrypt/backups/metacrypt-$(',
        ),
      ),
    );
    await sh(
      `METACRYPT_CONFIG='${join(root, 'etc/metacrypt/metacrypt.toml')}' ` +
        `METACRYPT_BACKUP_DIR='${join(root, 'var/lib/metacrypt/backups')}' ` +
        `METACRYPT_BIN='${join(stubs, 'metacrypt')}' ` +
        `'${projectPath('deploy', 'scripts', 'backup.sh')}' 30`,
    );

    const backups = readdirSync(join(root, 'var/lib/metacrypt/backups'));
    assert.equal(backups.length, 2, backups.join(' '));
    assert.ok(backups.some((b) => /^metacrypt-\d{8}\.db$/.test(b)));
    assert.ok(backups.some((b) => /^metacrypt-\d{8}-\d{6}\.db$/.test(b)));
  });

  it('restores a backup with the restore steps', async () => {
    // The backup under the name the steps use, then a rule the restore
    // must take away again.
    const dir = join(root, 'var/lib/metacrypt/backups');
    const made = readdirSync(dir).find((b) => /^metacrypt-\d{8}-\d{6}/.test(b));
    copyFileSync(
      join(dir, made ?? ''),
      join(dir, 'metacrypt-20261203-020312.db'),
    );
    await sh(
      'curl -sS -f --cacert "$METACRYPT_CA_CERT" -X POST ' +
        `"$METACRYPT_ADDR/v1/policy/rules" -H "Authorization: Bearer ${adminToken}" ` +
        `-d '{"id":"after-backup","priority":6,"effect":"deny","roles":["user"],` +
        `"resources":["engine/transit/*"],"actions":["read"]}'`,
    );

    // Steps 1 to 4, systemctl being the test's own stop and start.
    await server?.stop();
    await sh(onHost(line('cp /var/lib/metacrypt/backups/metacrypt-2026')));
    await sh(
      onHost(line('chown metacrypt:metacrypt /var/lib/metacrypt/metacrypt.db')),
    );
    assert.equal(
      statSync(join(root, 'var/lib/metacrypt/metacrypt.db')).mode & 0o777,
      0o600,
    );
    await startServer();

    // Step 5, and the rules as they stood at the backup.
    const unseal = COMMANDS.find(
      (c) => c.fenced && c.text.includes('/v1/unseal"'),
    );
    await sh(onHost(unseal?.text.replace('<seal-password>', PASSWORD) ?? ''));
    const login = JSON.parse(
      await sh(
        'curl -sS --cacert "$METACRYPT_CA_CERT" -X POST ' +
          `"$METACRYPT_ADDR/v1/auth/login" ` +
          `-d '{"username":"admin","password":"${ADMIN}"}'`,
      ),
    ) as { token: string };
    const rules = JSON.parse(
      await sh(
        'curl -sS -f --cacert "$METACRYPT_CA_CERT" ' +
          `"$METACRYPT_ADDR/v1/policy/rules" -H "Authorization: Bearer ${login.token}"`,
      ),
    ) as { rules: { id: string }[] };
    const ids = rules.rules.map((r) => r.id);
    assert.ok(ids.includes('before-backup'), ids.join(' '));
    assert.ok(!ids.includes('after-backup'), ids.join(' '));
  });

  it('reports the state with metacrypt status, as the restart steps say', async () => {
    const result = await home.run(['status'], { env });
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout, `${addr}: unsealed\n`);
  });
});
