// The scenarios of docs/RUNBOOK.md's troubleshooting tables that need no
// running vault: servers that cannot start, install.sh, the health probe,
// and the helpers the other scenarios share.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

import { projectPath } from '../../src/paths.js';
import { collectOutput } from '../fixtures/child-output.js';
import { BIN, writeCliWrapper } from '../fixtures/cli-process.js';
import { closedPort } from '../fixtures/stub-servers.js';
import { writeServerConfig } from '../fixtures/server-process.js';
import { TLS_FILES } from '../fixtures/tls-files.js';

const NOBODY = 65534;

/** Scenario brings a message about and returns the text printed. */
export type Scenario = () => Promise<string>;

// The scratch directory of the test, readable by nobody for the runs
// that drop to that user.
let work = '';
let serial = 0;

/** useScratch makes dir the directory scratch() makes folders in. */
export function useScratch(dir: string): void {
  work = dir;
}

/** scratch makes a new folder, mode 0755, in the scratch directory. */
export function scratch(name: string): string {
  serial += 1;
  const dir = join(work, `${String(serial)}-${name}`);
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  chmodSync(dir, 0o755);
  return dir;
}

/** serverStderr runs `metacrypt server` until it exits, as uid if given. */
async function serverStderr(config: string, uid?: number): Promise<string> {
  const node = [process.execPath, BIN, 'server', '--config', config];
  const [file = '', ...args] =
    uid === undefined
      ? node
      : [
          'setpriv',
          `--reuid=${String(uid)}`,
          `--regid=${String(uid)}`,
          '--clear-groups',
          ...node,
        ];
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('METACRYPT_')),
  );
  const child = spawn(file, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdin.end();
  const result = await collectOutput(child);
  assert.equal(result.status, 1, result.stdout + result.stderr);
  return result.stderr;
}

/** serverConfig writes a config naming the given TLS files and database. */
function serverConfig(
  dir: string,
  edit: (toml: string) => string = (toml) => toml,
): string {
  const path = join(dir, 'metacrypt.toml');
  writeServerConfig(path, { database: join(dir, 'metacrypt.db') });
  writeFileSync(path, edit(readFileSync(path, 'utf8')));
  return path;
}

/** readableTls copies the fixture certificate and key, mode 0644. */
function readableTls(dir: string): { cert: string; key: string } {
  const cert = join(dir, 'server.crt');
  const key = join(dir, 'server.key');
  copyFileSync(TLS_FILES.serverCert, cert);
  copyFileSync(TLS_FILES.serverKey, key);
  chmodSync(cert, 0o644);
  chmodSync(key, 0o644);
  return { cert, key };
}

function replaceTls(toml: string, cert: string, key: string): string {
  return toml
    .replace(TLS_FILES.serverCert, cert)
    .replace(TLS_FILES.serverKey, key);
}

/** busyPort holds a free loopback port until close is called. */
export async function busyPort(): Promise<{
  port: number;
  close: () => void;
}> {
  const server = createServer();
  await new Promise<void>((resolve) => {
    server.listen(0, '127.0.0.1', resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => server.close(),
  };
}

/** scriptStderr runs a program to its end, which must fail (exit 1). */
async function scriptStderr(
  file: string,
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
): Promise<string> {
  const child = spawn(file, args, {
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdin.end();
  const result = await collectOutput(child);
  assert.equal(result.status, 1, result.stdout + result.stderr);
  return result.stderr;
}

/** backupStderr runs backup.sh 30 into dir, which must fail. */
export function backupStderr(dir: string, config: string): Promise<string> {
  const bin = writeCliWrapper(join(work, 'metacrypt'));
  return scriptStderr(projectPath('deploy', 'scripts', 'backup.sh'), ['30'], {
    METACRYPT_CONFIG: config,
    METACRYPT_BACKUP_DIR: dir,
    METACRYPT_BIN: bin,
  });
}

/** STARTUP brings about the messages of a server that does not start. */
export const STARTUP: Record<string, Scenario> = {
  'config: server.tls_cert is required': async () => {
    const dir = scratch('no-cert');
    return serverStderr(
      serverConfig(dir, (t) => t.replace(/^tls_cert = .*\n/m, '')),
    );
  },
  'config: <file> (from --config) does not exist': () =>
    serverStderr(join(scratch('no-config'), 'metacrypt.toml')),
  'db: create file: permission denied (<path>)': async () => {
    const dir = scratch('read-only-data');
    const { cert, key } = readableTls(dir);
    const data = join(dir, 'data');
    mkdirSync(data, { mode: 0o555 });
    chmodSync(data, 0o555);
    const config = serverConfig(dir, (t) =>
      replaceTls(t, cert, key).replace(
        join(dir, 'metacrypt.db'),
        join(data, 'metacrypt.db'),
      ),
    );
    chmodSync(config, 0o644);
    return serverStderr(config, NOBODY);
  },
  'server: tls: failed to find any PEM data in certificate input (<path>)':
    async () => {
      const dir = scratch('not-pem');
      const junk = join(dir, 'server.crt');
      writeFileSync(junk, 'not a certificate\n');
      return serverStderr(
        serverConfig(dir, (t) => replaceTls(t, junk, TLS_FILES.serverKey)),
      );
    },
  'server: tls: read key: permission denied (<path>)': async () => {
    const dir = scratch('key-unreadable');
    const { cert, key } = readableTls(dir);
    chmodSync(key, 0o600);
    const config = serverConfig(dir, (t) => replaceTls(t, cert, key));
    chmodSync(config, 0o644);
    return serverStderr(config, NOBODY);
  },
  'server: listen <addr>: address already in use': async () => {
    const busy = await busyPort();
    try {
      const dir = scratch('port-taken');
      return await serverStderr(
        serverConfig(dir, (t) =>
          t.replace('127.0.0.1:0', `127.0.0.1:${String(busy.port)}`),
        ),
      );
    } finally {
      busy.close();
    }
  },
};

const INSTALL = projectPath('deploy', 'scripts', 'install.sh');

/** INSTALLING brings about install.sh's and the health probe's. */
export const INSTALLING: Record<string, Scenario> = {
  'install.sh: <dir> is not a built tree (no <file>): run npm ci && npm run build in it first':
    () => {
      const dir = scratch('unbuilt');
      mkdirSync(join(dir, 'root'));
      mkdirSync(join(dir, 'source'));
      return scriptStderr(INSTALL, [join(dir, 'source')], {
        DESTDIR: join(dir, 'root'),
      });
    },
  'install.sh: must be run as root': () => {
    const dir = scratch('not-root');
    return scriptStderr(
      'setpriv',
      [
        `--reuid=${String(NOBODY)}`,
        `--regid=${String(NOBODY)}`,
        '--clear-groups',
        INSTALL,
      ],
      { DESTDIR: dir },
    );
  },
  'healthcheck: <url>: connect ECONNREFUSED <addr>': async () => {
    const port = await closedPort();
    return scriptStderr(
      process.execPath,
      [projectPath('bin', 'healthcheck.js')],
      {
        METACRYPT_HEALTHCHECK_URL: `https://127.0.0.1:${String(port)}/v1/status`,
      },
    );
  },
};
