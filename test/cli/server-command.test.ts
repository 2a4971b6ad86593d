// `metacrypt server`, run as a real process: JSON log lines, a listening
// URL that answers, a clean exit on SIGTERM and SIGINT, and the one-line
// errors an operator sees when the TLS files, config, database or listen
// address are wrong.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import { stringify } from 'smol-toml';

import { projectPath } from '../../src/paths.js';
import { httpsRequest } from '../fixtures/https-request.js';
import { TLS_FILES } from '../fixtures/tls-files.js';

const work = mkdtempSync(join(tmpdir(), 'metacrypt-server-cli-'));
const running = new Set<ChildProcessWithoutNullStreams>();
after(() => {
  for (const child of running) child.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
});

type Section = Record<string, unknown>;

/** writeToml writes config as name.toml in the work directory. */
function writeToml(name: string, config: Record<string, Section>): string {
  const path = join(work, `${name}.toml`);
  writeFileSync(path, stringify(config));
  return path;
}

/** writeConfig writes a working config, changed by changes. */
function writeConfig(
  name: string,
  changes: Record<string, Section> = {},
): string {
  return writeToml(name, {
    server: {
      listen_addr: '127.0.0.1:0',
      tls_cert: TLS_FILES.serverCert,
      tls_key: TLS_FILES.serverKey,
      ...changes.server,
    },
    database: { path: join(work, `${name}.db`), ...changes.database },
    // Nothing here logs in, so MCIAS is never reached.
    mcias: { server_url: 'https://127.0.0.1:1' },
    seal: { argon2_time: 1, argon2_memory: 256, argon2_threads: 1 },
  });
}

// A clean environment: no METACRYPT_* from the developer's shell, and a
// working directory without a metacrypt.toml.
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('METACRYPT_')),
  );
}

const ARGS = [projectPath('bin', 'run.js'), 'server', '--config'];

interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** ServerProcess is a `metacrypt server` child that is listening. */
interface ServerProcess {
  readonly child: ChildProcessWithoutNullStreams;
  readonly url: string;
  /** lines are the stdout lines so far, parsed as JSON. */
  lines(): Record<string, unknown>[];
  stderr(): string;
  exited: Promise<Exit>;
}

/**
 * startServer runs `metacrypt server --config path` and resolves once it
 * logs `server listening`, or rejects with its output if it exits first.
 */
function startServer(path: string): Promise<ServerProcess> {
  const child = spawn(process.execPath, [...ARGS, path], {
    cwd: work,
    env: cleanEnv(),
  });
  running.add(child);
  let stdout = '';
  let stderr = '';
  const lines = (): Record<string, unknown>[] =>
    stdout
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  const exited = new Promise<Exit>((resolve) => {
    child.on('exit', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    });
  });

  return new Promise((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const listening = lines().find(
        (line) => line.message === 'server listening',
      );
      if (typeof listening?.url === 'string') {
        resolve({
          child,
          url: listening.url,
          lines,
          stderr: () => stderr,
          exited,
        });
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    void exited.then((exit) => {
      reject(
        new Error(
          `exited (${String(exit.code)}) before listening:\n${stdout}${stderr}`,
        ),
      );
    });
  });
}

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** runToExit runs `metacrypt server --config path` for a failing start. */
function runToExit(path: string): Run {
  // Synchronous is safe here: the server under test is the child, and
  // it exits on its own.
  const result = spawnSync(process.execPath, [...ARGS, path], {
    cwd: work,
    env: cleanEnv(),
    encoding: 'utf8',
  });
  return {
    status: result.status,
    stdout: result.stdout,
    stderr: result.stderr,
  };
}

async function servesAndStopsOn(signal: NodeJS.Signals): Promise<void> {
  const server = await startServer(writeConfig(signal.toLowerCase()));
  assert.match(server.url, /^https:\/\/127\.0\.0\.1:[1-9]\d*$/);

  const reply = await httpsRequest(`${server.url}/v1/status`);
  assert.equal(reply.status, 200);
  assert.deepEqual(reply.json(), { state: 'uninitialized' });

  server.child.kill(signal);
  assert.deepEqual(await server.exited, { code: 0, signal: null });
  const messages = server.lines().map((line) => line.message);
  assert.equal(messages[0], 'starting');
  assert.ok(messages.includes('server listening'));
  const stopping = server.lines().find((line) => line.message === 'stopping');
  assert.equal(stopping?.signal, signal);
  assert.equal(messages[messages.length - 1], 'server stopped');
  assert.equal(server.stderr(), '');
}

describe('metacrypt server', () => {
  it('logs JSON lines, answers status, and exits 0 on SIGTERM', async () => {
    await servesAndStopsOn('SIGTERM');
  });

  it('exits 0 on SIGINT the same way', async () => {
    await servesAndStopsOn('SIGINT');
  });

  it('exits 1 naming a certificate file with no PEM data', () => {
    const cert = join(work, 'not-pem.crt');
    writeFileSync(cert, 'this is not a certificate\n');
    const run = runToExit(
      writeConfig('not-pem', { server: { tls_cert: cert } }),
    );
    assert.equal(run.status, 1);
    assert.equal(
      run.stderr,
      `server: tls: failed to find any PEM data in certificate input (${cert})\n`,
    );
  });

  it('exits 1 naming a missing required key', () => {
    const path = writeToml('no-cert', {
      server: { listen_addr: '127.0.0.1:0', tls_key: TLS_FILES.serverKey },
      database: { path: join(work, 'no-cert.db') },
      mcias: { server_url: 'https://127.0.0.1:1' },
    });
    const run = runToExit(path);
    assert.equal(run.status, 1);
    assert.equal(run.stderr, 'config: server.tls_cert is required\n');
    assert.equal(run.stdout, '');
  });

  it('exits 1 with a db error when the database directory is missing', () => {
    const db = join(work, 'no-such-dir', 'vault.db');
    const run = runToExit(writeConfig('no-dir', { database: { path: db } }));
    assert.equal(run.status, 1);
    assert.equal(
      run.stderr,
      `db: create file: no such file or directory (${db})\n`,
    );
  });

  it('exits 1 naming an address already in use', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => {
      taken.listen(0, '127.0.0.1', resolve);
    });
    const addr = `127.0.0.1:${String((taken.address() as AddressInfo).port)}`;
    try {
      const run = runToExit(
        writeConfig('in-use', { server: { listen_addr: addr } }),
      );
      assert.equal(run.status, 1);
      assert.equal(
        run.stderr,
        `server: listen ${addr}: address already in use\n`,
      );
    } finally {
      await new Promise<void>((resolve) => {
        taken.close(() => {
          resolve();
        });
      });
    }
  });
});
