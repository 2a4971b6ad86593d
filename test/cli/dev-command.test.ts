// `metacrypt dev`, run as a real process the way a newcomer runs it: the
// banner's curl commands and exports work exactly as printed, a stop
// signal seals and deletes everything, --json gives the same facts, and a
// port in use fails at once with one line and nothing left behind.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';

import { BANNER_LAST_LINE } from '../../src/dev/dev-banner.js';
import type { DevFactsJson } from '../../src/dev/dev-facts.js';
import { BIN, CliHome } from '../fixtures/cli-process.js';

const run = promisify(execFile);

const home = new CliHome();
const running = new Set<ChildProcessWithoutNullStreams>();
after(() => {
  for (const child of running) child.kill('SIGKILL');
  home.remove();
});

interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** DevProcess is a `metacrypt dev` child and what it has written. */
interface DevProcess {
  readonly child: ChildProcessWithoutNullStreams;
  /** The child's TMPDIR, where its data directory goes; empty at first. */
  readonly tmp: string;
  stdout(): string;
  stderr(): string;
  readonly exited: Promise<Exit>;
  /** until resolves once stdout passes test, or rejects if it exits. */
  until(test: (stdout: string) => boolean): Promise<string>;
  /** untilStderr is until for stderr. */
  untilStderr(test: (stderr: string) => boolean): Promise<string>;
}

/** startDev runs `metacrypt dev args` with a TMPDIR of its own. */
function startDev(args: readonly string[]): DevProcess {
  const tmp = mkdtempSync(join(home.dir, 'tmp-'));
  const child = spawn(process.execPath, [BIN, 'dev', ...args], {
    env: home.env({ TMPDIR: tmp }),
    cwd: home.dir,
  });
  running.add(child);
  let stdout = '';
  let stderr = '';
  const waiters = new Set<() => void>();
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    for (const check of waiters) check();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    for (const check of waiters) check();
  });
  const exited = new Promise<Exit>((resolve) => {
    child.on('close', (code, signal) => {
      running.delete(child);
      for (const check of waiters) check();
      resolve({ code, signal });
    });
  });

  const wait = (read: () => string, test: (text: string) => boolean) =>
    new Promise<string>((resolve, reject) => {
      const check = (): void => {
        if (test(read())) {
          waiters.delete(check);
          resolve(read());
        } else if (child.exitCode !== null || child.signalCode !== null) {
          waiters.delete(check);
          reject(new Error(`dev exited early:\n${stdout}\n${stderr}`));
        }
      };
      waiters.add(check);
      check();
    });
  return {
    child,
    tmp,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    until: (test) => wait(() => stdout, test),
    untilStderr: (test) => wait(() => stderr, test),
  };
}

/** Banner is what a person reads off the banner. */
interface Banner {
  readonly addr: string;
  readonly dataDir: string;
  readonly caCert: string;
  readonly identityUrl: string;
  readonly sealPassword: string;
  readonly adminPassword: string;
  readonly user: { readonly username: string; readonly password: string };
  readonly adminToken: string;
  readonly exports: string;
  /** Each curl command as printed, continuation lines included. */
  readonly curls: readonly string[];
}

function field(text: string, label: string): string {
  const value = new RegExp(`^${label}:\\s+(\\S+)`, 'm').exec(text)?.[1];
  assert.ok(value !== undefined, `no ${label} in the banner:\n${text}`);
  return value;
}

function parseBanner(text: string): Banner {
  const lines = text.split('\n');
  const curls: string[] = [];
  for (let i = 0; i < lines.length; i += 1) {
    if (!lines[i]?.startsWith('  curl ')) continue;
    const block = [lines[i] ?? ''];
    while (block[block.length - 1]?.endsWith('\\')) {
      i += 1;
      block.push(lines[i] ?? '');
    }
    curls.push(block.join('\n'));
  }
  const user = /^User:\s+(\S+) \/ (\S+) /m.exec(text);
  const admin = /^Admin:\s+admin \/ (\S+) /m.exec(text);
  assert.ok(user?.[1] !== undefined && user[2] !== undefined);
  assert.ok(admin?.[1] !== undefined);
  return {
    addr: field(text, 'Address'),
    dataDir: field(text, 'Data directory'),
    caCert: field(text, 'CA certificate'),
    identityUrl: field(text, 'Identity server'),
    sealPassword: field(text, 'Seal password'),
    adminPassword: admin[1],
    user: { username: user[1], password: user[2] },
    adminToken: field(text, 'Admin token'),
    exports: lines.filter((line) => line.startsWith('  export ')).join('\n'),
    curls,
  };
}

/** sh runs a command exactly as printed, with no ~/.curlrc to change it. */
async function sh(command: string): Promise<unknown> {
  const { stdout } = await run('sh', ['-c', command], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home.dir },
  });
  return JSON.parse(stdout) as unknown;
}

/** exportsEnv runs the export lines in sh and reads back what they set. */
async function exportsEnv(exports: string): Promise<Record<string, string>> {
  const { stdout } = await run('sh', [
    '-c',
    `${exports}\nprintf '%s\\n%s' "$METACRYPT_ADDR" "$METACRYPT_CA_CERT"`,
  ]);
  const [addr = '', caCert = ''] = stdout.split('\n');
  return { METACRYPT_ADDR: addr, METACRYPT_CA_CERT: caCert };
}

/** refused tells whether nothing listens on the URL's port any more. */
function refused(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port) });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      resolve(err.code === 'ECONNREFUSED');
    });
  });
}

/** stopsCleanly signals dev and checks it sealed and left nothing. */
async function stopsCleanly(
  dev: DevProcess,
  signal: NodeJS.Signals,
  urls: readonly string[],
  dataDir: string,
): Promise<void> {
  dev.child.kill(signal);
  assert.deepEqual(await dev.exited, { code: 0, signal: null });
  assert.equal(existsSync(dataDir), false);
  assert.deepEqual(readdirSync(dev.tmp), []);
  for (const url of urls) assert.ok(await refused(url), `${url} still open`);
  const messages = jsonLines(dev.stderr()).map((line) => line.message);
  assert.ok(messages.includes('server stopped'));
  const stopping = jsonLines(dev.stderr()).find(
    (line) => line.message === 'stopping',
  );
  assert.equal(stopping?.signal, signal);
}

function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

async function servesAsPrintedAndStopsOn(
  signal: NodeJS.Signals,
): Promise<void> {
  // Step 1: start, and read the banner as a person would.
  const dev = startDev(['--port', '0']);
  const text = await dev.until((out) => out.includes(BANNER_LAST_LINE));
  const banner = parseBanner(text);
  assert.match(
    text,
    /WARNING: DEVELOPMENT SERVER\. DO NOT USE IT IN PRODUCTION/,
  );
  assert.match(banner.addr, /^https:\/\/127\.0\.0\.1:[1-9]\d*$/);
  assert.equal(banner.caCert, join(banner.dataDir, 'server.crt'));
  assert.deepEqual(readdirSync(dev.tmp), [
    banner.dataDir.slice(dev.tmp.length + 1),
  ]);

  // Step 2: each curl command, exactly as printed.
  assert.equal(banner.curls.length, 3);
  const [status, login, encrypt] = banner.curls;
  assert.deepEqual(await sh(status ?? ''), { state: 'unsealed' });
  const loggedIn = (await sh(login ?? '')) as { token?: unknown };
  assert.equal(typeof loggedIn.token, 'string');
  const encrypted = (await sh(encrypt ?? '')) as Record<string, unknown>;
  assert.match(String(encrypted.ciphertext), /^metacrypt:v1:[A-Za-z0-9+/=]+$/);
  assert.equal(encrypted.key_version, 1);

  // Step 3: the metacrypt command, with the printed exports.
  const env = await exportsEnv(banner.exports);
  assert.deepEqual(env, {
    METACRYPT_ADDR: banner.addr,
    METACRYPT_CA_CERT: banner.caCert,
  });
  const cli = await home.run(['status'], { env });
  assert.equal(cli.stderr, '');
  assert.equal(cli.stdout, `${banner.addr}: unsealed\n`);
  assert.equal(cli.status, 0);

  // Step 4: stop, and find nothing left.
  await stopsCleanly(
    dev,
    signal,
    [banner.addr, banner.identityUrl],
    banner.dataDir,
  );

  // Step 5: the logs were JSON lines on stderr, without a secret.
  const secrets = [
    banner.sealPassword,
    banner.adminPassword,
    banner.user.password,
    banner.adminToken,
    String(loggedIn.token),
  ];
  for (const secret of secrets) assert.ok(!dev.stderr().includes(secret));
  assert.ok(jsonLines(dev.stderr()).length > 0);
}

describe('metacrypt dev', () => {
  it('serves its printed curl commands and exports, and stops on SIGINT', async () => {
    await servesAsPrintedAndStopsOn('SIGINT');
  });

  it('does the same and stops on SIGTERM', async () => {
    await servesAsPrintedAndStopsOn('SIGTERM');
  });

  it('prints the facts as one JSON line with --json', async () => {
    const dev = startDev(['--port', '0', '--json']);
    const out = await dev.until((text) => text.endsWith('\n'));
    const lines = out.split('\n');
    assert.equal(lines.length, 2);
    const facts = JSON.parse(lines[0] ?? '') as DevFactsJson;

    assert.match(facts.addr, /^https:\/\/127\.0\.0\.1:[1-9]\d*$/);
    assert.equal(facts.ca_cert, join(facts.data_dir, 'server.crt'));
    assert.deepEqual(facts.env, {
      METACRYPT_ADDR: facts.addr,
      METACRYPT_CA_CERT: facts.ca_cert,
    });
    assert.deepEqual(facts.admin.roles, ['admin']);
    assert.deepEqual(facts.user.roles, ['user']);
    assert.deepEqual(facts.transit, { mount: 'transit', key: 'demo' });
    assert.equal(facts.seal_password.length, 24);
    assert.equal(facts.curl.length, 3);
    assert.deepEqual(await sh(facts.curl[0] ?? ''), { state: 'unsealed' });
    const encrypted = (await sh(facts.curl[2] ?? '')) as {
      ciphertext?: unknown;
    };
    assert.match(String(encrypted.ciphertext), /^metacrypt:v1:/);

    await stopsCleanly(
      dev,
      'SIGTERM',
      [facts.addr, facts.identity_url],
      facts.data_dir,
    );
    assert.equal(dev.stdout(), out);
  });

  it('absorbs a repeated SIGINT while it stops, as npm and a terminal send', async () => {
    const dev = startDev(['--port', '0', '--json']);
    const out = await dev.until((text) => text.endsWith('\n'));
    const facts = JSON.parse(out) as DevFactsJson;
    // Two at once; stopsCleanly sends the second and checks the exit.
    dev.child.kill('SIGINT');
    await stopsCleanly(
      dev,
      'SIGINT',
      [facts.addr, facts.identity_url],
      facts.data_dir,
    );
  });

  it('cleans up after a SIGINT that comes while it is still starting', async () => {
    const dev = startDev(['--port', '0', '--json']);
    await dev.untilStderr((text) =>
      text.includes('dev identity server started'),
    );
    dev.child.kill('SIGINT');
    assert.deepEqual(await dev.exited, { code: 0, signal: null });
    assert.deepEqual(readdirSync(dev.tmp), []);
  });

  it('fails with one line, and leaves nothing, when the port is in use', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => {
      taken.listen(0, '127.0.0.1', resolve);
    });
    const { port } = taken.address() as AddressInfo;
    try {
      const dev = startDev(['--port', String(port)]);
      assert.deepEqual(await dev.exited, { code: 1, signal: null });
      assert.equal(
        dev.stderr(),
        `server: listen 127.0.0.1:${port}: address already in use ` +
          '(is another server running? choose a port with --port, ' +
          'or --port 0 for any free one)\n',
      );
      assert.equal(dev.stdout(), '');
      assert.deepEqual(readdirSync(dev.tmp), []);
    } finally {
      await new Promise<void>((resolve) => {
        taken.close(() => {
          resolve();
        });
      });
    }
  });

  it('refuses a port that is not 0 to 65535 with one line', async () => {
    const dev = startDev(['--port', '70000']);
    assert.deepEqual(await dev.exited, { code: 1, signal: null });
    assert.equal(
      dev.stderr(),
      '--port must be a whole number from 0 to 65535 (see --help)\n',
    );
    assert.deepEqual(readdirSync(dev.tmp), []);
  });
});
