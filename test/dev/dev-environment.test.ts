// The development environment in-process: its data directory and files,
// a stop that can be asked for twice, and a failed start that leaves
// nothing behind, neither files nor a listening identity server.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import type { AddressInfo, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import type { Config } from '../../src/config/index.js';
import { startDevEnvironment } from '../../src/dev/dev-environment.js';
import { logSink } from '../fixtures/log-sink.js';

const roots: string[] = [];
after(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

/** newRoot makes an empty directory for data directories to go in. */
function newRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'metacrypt-dev-env-test-'));
  roots.push(root);
  return root;
}

/** refused tells whether a connection to host:port is refused. */
function refused(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      resolve(err.code === 'ECONNREFUSED');
    });
  });
}

function listenAnywhere(): Promise<Server> {
  const server = createServer();
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve(server);
    });
  });
}

describe('startDevEnvironment', () => {
  it('keeps its files private, and close() twice deletes them', async () => {
    const root = newRoot();
    const env = await startDevEnvironment({
      port: 0,
      logger: logSink('error').logger,
      tmpRoot: root,
    });
    const { dataDir } = env.facts;
    assert.deepEqual(readdirSync(root), [dataDir.slice(root.length + 1)]);
    assert.equal(statSync(dataDir).mode & 0o777, 0o700);
    assert.equal(statSync(join(dataDir, 'server.key')).mode & 0o777, 0o600);
    assert.equal(env.facts.caCert, join(dataDir, 'server.crt'));
    assert.match(env.facts.addr, /^https:\/\/127\.0\.0\.1:[1-9]\d*$/);

    await Promise.all([env.close(), env.close()]);
    await env.close();
    assert.deepEqual(readdirSync(root), []);
    const port = Number(new URL(env.facts.addr).port);
    assert.ok(await refused('127.0.0.1', port));
    const identityPort = Number(new URL(env.facts.identityUrl).port);
    assert.ok(await refused('127.0.0.1', identityPort));
  });

  it('stops the identity server and deletes everything if the vault fails', async () => {
    const root = newRoot();
    let identityUrl: string | undefined;
    const failure = new Error('vault failed to start');
    await assert.rejects(
      startDevEnvironment({
        port: 0,
        logger: logSink('error').logger,
        tmpRoot: root,
        startVault: ({ config }: { config: Config }) => {
          identityUrl = config.mcias.server_url;
          return Promise.reject(failure);
        },
      }),
      (err) => err === failure,
    );
    assert.deepEqual(readdirSync(root), []);
    assert.ok(identityUrl !== undefined);
    assert.ok(await refused('127.0.0.1', Number(new URL(identityUrl).port)));
  });

  it('refuses a port in use before it makes anything', async () => {
    const root = newRoot();
    const taken = await listenAnywhere();
    const { port } = taken.address() as AddressInfo;
    try {
      await assert.rejects(
        startDevEnvironment({
          port,
          logger: logSink('error').logger,
          tmpRoot: root,
        }),
        {
          code: 'server_listen',
          message:
            `server: listen 127.0.0.1:${port}: address already in use ` +
            '(is another server running? choose a port with --port, ' +
            'or --port 0 for any free one)',
        },
      );
      assert.deepEqual(readdirSync(root), []);
    } finally {
      await new Promise<void>((resolve) => {
        taken.close(() => {
          resolve();
        });
      });
    }
  });
});
