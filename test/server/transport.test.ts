// The HTTPS transport of a real server: no plain HTTP, TLS 1.2 or newer
// (1.3 when configured), AEAD suites only, security headers on API
// replies, and request ids echoed only when they are safe to echo.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { connect, createServer } from 'node:tls';
import type { ConnectionOptions, Server } from 'node:tls';

import { runProcess } from '../db/scratch.js';
import type { ChildResult } from '../fixtures/child-output.js';
import { testCaPem, TLS_FILES } from '../fixtures/tls-files.js';
import { Harness } from './harness.js';

/** What a completed handshake agreed on. */
interface Handshake {
  readonly protocol: string | null;
  readonly cipher: string;
}

// A client that offers only TLS 1.0 and 1.1, and lowers its own security
// level so that it is willing to use them: a refusal is then the
// server's doing.
const TLS_1_1_CLIENT: ConnectionOptions = {
  minVersion: 'TLSv1',
  maxVersion: 'TLSv1.1',
  ciphers: 'DEFAULT@SECLEVEL=0',
};
const PROTOCOL_VERSION_ALERT = { code: 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION' };
// Alert 40, handshake_failure. OpenSSL 3.0 (Node 20) names it "sslv3
// alert handshake failure", 3.5 (Node 22 and 24) "ssl/tls alert handshake
// failure", and Node's error code follows the name.
const HANDSHAKE_FAILURE_ALERT = {
  code: /^ERR_SSL_(SSLV3|SSL\/TLS)_ALERT_HANDSHAKE_FAILURE$/,
  message: /SSL alert number 40/,
};
const AEAD_SUITE = /GCM|CHACHA20-POLY1305|CHACHA20_POLY1305/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function handshake(
  port: number,
  options: ConnectionOptions = {},
): Promise<Handshake> {
  return new Promise((resolve, reject) => {
    const socket = connect(
      {
        host: '127.0.0.1',
        port,
        servername: 'localhost',
        ca: testCaPem(),
        ...options,
      },
      () => {
        const agreed = {
          protocol: socket.getProtocol(),
          cipher: socket.getCipher().name,
        };
        socket.end();
        resolve(agreed);
      },
    );
    socket.on('error', reject);
  });
}

function sClient(port: number, version: string): Promise<ChildResult> {
  return runProcess('openssl', [
    's_client',
    '-connect',
    `127.0.0.1:${String(port)}`,
    '-servername',
    'localhost',
    version,
    '-cipher',
    'DEFAULT@SECLEVEL=0',
  ]);
}

// A deliberately lax TLS server with the same certificate, to show that
// the old-protocol clients used here do connect when a server allows it.
async function laxServer(): Promise<Server> {
  const server = createServer(
    {
      cert: readFileSync(TLS_FILES.serverCert),
      key: readFileSync(TLS_FILES.serverKey),
      minVersion: 'TLSv1',
      ciphers: 'DEFAULT@SECLEVEL=0',
    },
    (socket) => {
      socket.end();
    },
  );
  await new Promise<void>((resolve) => {
    server.listen(0, '127.0.0.1', resolve);
  });
  return server;
}

function portOf(server: Server): number {
  return (server.address() as AddressInfo).port;
}

describe('transport', () => {
  let h: Harness;
  let lax: Server;

  before(async () => {
    h = await Harness.start();
    lax = await laxServer();
  });

  after(async () => {
    await new Promise<void>((resolve) => {
      lax.close(() => {
        resolve();
      });
    });
    await h.close();
  });

  beforeEach(async () => {
    await h.fresh();
  });

  it('gives plain HTTP on the HTTPS port no HTTP reply', async () => {
    let answered = false;
    await assert.rejects(
      new Promise((resolve, reject) => {
        const req = httpRequest(
          `http://127.0.0.1:${String(h.server.port)}/v1/status`,
          { agent: false },
          (res) => {
            answered = true;
            res.resume();
            resolve(res.statusCode);
          },
        );
        req.on('error', reject);
        req.end();
      }),
      { code: 'ECONNRESET' },
    );
    assert.equal(answered, false);
  });

  it('refuses a client limited to TLS 1.1 that a lax server accepts', async () => {
    const accepted = await handshake(portOf(lax), TLS_1_1_CLIENT);
    assert.equal(accepted.protocol, 'TLSv1.1');
    await assert.rejects(
      handshake(h.server.port, TLS_1_1_CLIENT),
      PROTOCOL_VERSION_ALERT,
    );
  });

  it('refuses openssl s_client with -tls1_1 and with -tls1', async () => {
    const version = await runProcess('openssl', ['version']);
    assert.equal(version.status, 0, 'openssl must be on the PATH');
    for (const flag of ['-tls1_1', '-tls1']) {
      const control = await sClient(portOf(lax), flag);
      assert.equal(control.status, 0, `${flag} against a lax server`);
      const refused = await sClient(h.server.port, flag);
      assert.equal(refused.status, 1, `${flag}: ${refused.stdout}`);
      assert.match(refused.stderr, /alert protocol version/);
    }
  });

  it('accepts TLS 1.2 and TLS 1.3 clients', async () => {
    const port = h.server.port;
    const tls12 = await handshake(port, {
      minVersion: 'TLSv1.2',
      maxVersion: 'TLSv1.2',
    });
    assert.equal(tls12.protocol, 'TLSv1.2');
    const tls13 = await handshake(port, { minVersion: 'TLSv1.3' });
    assert.equal(tls13.protocol, 'TLSv1.3');
    const reply = await h.call('GET', '/v1/status');
    assert.equal(reply.status, 200);
  });

  it('refuses a TLS 1.2 client when tls_min_version is 1.3', async () => {
    await h.fresh({ server: { tls_min_version: '1.3' } });
    const port = h.server.port;
    await assert.rejects(
      handshake(port, { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' }),
      PROTOCOL_VERSION_ALERT,
    );
    const tls13 = await handshake(port, { minVersion: 'TLSv1.3' });
    assert.equal(tls13.protocol, 'TLSv1.3');
  });

  it('refuses a TLS 1.2 client offering only CBC suites with SHA-1', async () => {
    const cbcOnly: ConnectionOptions = {
      maxVersion: 'TLSv1.2',
      ciphers: 'ECDHE-ECDSA-AES128-SHA:AES128-SHA',
    };
    const accepted = await handshake(portOf(lax), cbcOnly);
    assert.equal(accepted.cipher, 'ECDHE-ECDSA-AES128-SHA');
    await assert.rejects(
      handshake(h.server.port, cbcOnly),
      HANDSHAKE_FAILURE_ALERT,
    );
  });

  it('negotiates an AEAD suite with default TLS 1.3 and TLS 1.2 clients', async () => {
    const port = h.server.port;
    const tls13 = await handshake(port);
    assert.equal(tls13.protocol, 'TLSv1.3');
    assert.match(tls13.cipher, AEAD_SUITE);
    const tls12 = await handshake(port, { maxVersion: 'TLSv1.2' });
    assert.equal(tls12.protocol, 'TLSv1.2');
    assert.match(tls12.cipher, /^ECDHE-/);
    assert.match(tls12.cipher, AEAD_SUITE);
  });

  it('sends security headers and no-store on API replies', async () => {
    const replies = [
      await h.call('GET', '/v1/status'),
      await h.call('GET', '/v1/no-such-route'),
      await h.call('POST', '/v1/init', { raw: '{' }),
    ];
    assert.deepEqual(
      replies.map((reply) => reply.status),
      [200, 404, 400],
    );
    for (const { headers } of replies) {
      assert.match(
        String(headers['strict-transport-security']),
        /max-age=[1-9]\d*/,
      );
      assert.equal(headers['x-content-type-options'], 'nosniff');
      const csp = String(headers['content-security-policy']);
      assert.match(csp, /default-src/);
      assert.ok(
        headers['x-frame-options'] !== undefined ||
          csp.includes('frame-ancestors'),
        'framing is limited',
      );
      assert.equal(headers['x-powered-by'], undefined);
      assert.equal(headers['cache-control'], 'no-store');
    }
  });

  it('echoes a sane X-Request-Id in the reply and the log', async () => {
    const id = 'trace-42.abc_DEF';
    const reply = await h.call('GET', '/v1/status', {
      headers: { 'x-request-id': id },
    });
    assert.equal(reply.headers['x-request-id'], id);
    const longest = 'a'.repeat(64);
    const long = await h.call('GET', '/v1/status', {
      headers: { 'x-request-id': longest },
    });
    assert.equal(long.headers['x-request-id'], longest);
    const logged = h.logLines
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => line.message === 'request');
    assert.ok(logged.some((line) => line.request_id === id));
  });

  it('replaces an X-Request-Id with spaces, or too long, with its own', async () => {
    for (const given of ['has spaces in it', 'a'.repeat(65), 'b'.repeat(200)]) {
      const reply = await h.call('GET', '/v1/status', {
        headers: { 'x-request-id': given },
      });
      assert.match(String(reply.headers['x-request-id']), UUID, given);
    }
    const first = await h.call('GET', '/v1/status');
    const second = await h.call('GET', '/v1/status');
    assert.match(String(first.headers['x-request-id']), UUID);
    assert.notEqual(
      first.headers['x-request-id'],
      second.headers['x-request-id'],
    );
  });
});
