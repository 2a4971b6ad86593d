// The HTTPS listener: a port already in use names the address, a bound
// port reports its URL, and listen_addr is split into host and port.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';

import { parseConfig } from '../../src/config/index.js';
import { MetacryptError } from '../../src/errors/index.js';
import { listen, parseListenAddr } from '../../src/server/https-listener.js';
import { loadTlsSettings } from '../../src/server/tls-settings.js';
import type { TlsSettings } from '../../src/server/tls-settings.js';
import { TLS_FILES } from '../fixtures/tls-files.js';

function fixtureTls(): TlsSettings {
  const config = parseConfig(
    {
      server: {
        listen_addr: '127.0.0.1:0',
        tls_cert: TLS_FILES.serverCert,
        tls_key: TLS_FILES.serverKey,
      },
      database: { path: 'unused.db' },
      mcias: { server_url: 'https://127.0.0.1:1' },
    },
    {},
  );
  return loadTlsSettings(config.server);
}

describe('listen', () => {
  it('names the address when the port is already in use', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => {
      taken.listen(0, '127.0.0.1', resolve);
    });
    const { port } = taken.address() as AddressInfo;
    try {
      const addr = `127.0.0.1:${String(port)}`;
      await assert.rejects(
        listen(() => undefined, fixtureTls(), addr),
        (err: unknown) => {
          assert.ok(err instanceof MetacryptError);
          assert.equal(err.code, 'server_listen');
          assert.equal(
            err.message,
            `server: listen ${addr}: address already in use`,
          );
          return true;
        },
      );
    } finally {
      await new Promise<void>((resolve) => {
        taken.close(() => {
          resolve();
        });
      });
    }
  });

  it('reports the URL of the port it bound', async () => {
    const listener = await listen(() => undefined, fixtureTls(), '127.0.0.1:0');
    try {
      assert.ok(listener.port > 0);
      assert.equal(listener.url, `https://127.0.0.1:${String(listener.port)}`);
    } finally {
      await listener.close();
    }
  });
});

describe('parseListenAddr', () => {
  it('reads :port as every address', () => {
    assert.deepEqual(parseListenAddr(':8443'), {
      host: undefined,
      port: 8443,
    });
  });

  it('reads host:port, port 0 included', () => {
    assert.deepEqual(parseListenAddr('127.0.0.1:0'), {
      host: '127.0.0.1',
      port: 0,
    });
  });

  it('reads [ipv6]:port without the brackets', () => {
    assert.deepEqual(parseListenAddr('[::1]:9443'), {
      host: '::1',
      port: 9443,
    });
  });
});
