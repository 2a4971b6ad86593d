// httpsJson against real HTTPS servers: parsed replies, bodies that are
// not JSON, the size cap, and a timeout over the whole exchange.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { httpsJson } from '../../src/net/https-json.js';
import { startHttpsStub } from '../fixtures/stub-servers.js';
import { testCaPem } from '../fixtures/tls-files.js';

describe('httpsJson', () => {
  it('sends JSON and gives status, headers and parsed body', async () => {
    const stub = await startHttpsStub((request, res) => {
      res.writeHead(201, {
        'content-type': 'application/json',
        'x-seen': 'yes',
      });
      res.end(JSON.stringify({ echoed: JSON.parse(request.body) as unknown }));
    });
    try {
      const result = await httpsJson({
        url: new URL('/v1/thing', stub.url),
        method: 'POST',
        body: { a: 1 },
        headers: { 'x-extra': 'e' },
        caPem: testCaPem(),
      });
      assert.ok(result.ok);
      assert.equal(result.status, 201);
      assert.equal(result.headers['x-seen'], 'yes');
      assert.deepEqual(result.body, { echoed: { a: 1 } });
      const [seen] = stub.requests;
      assert.equal(seen?.headers['content-type'], 'application/json');
      assert.equal(seen.headers['x-extra'], 'e');
    } finally {
      await stub.close();
    }
  });

  it('gives an undefined body for an empty or non-JSON reply', async () => {
    const stub = await startHttpsStub((request, res) => {
      res.writeHead(request.path === '/empty' ? 204 : 502);
      res.end(request.path === '/empty' ? '' : '<html>bad gateway</html>');
    });
    try {
      for (const path of ['/empty', '/html']) {
        const result = await httpsJson({
          url: new URL(path, stub.url),
          method: 'GET',
          caPem: testCaPem(),
        });
        assert.ok(result.ok);
        assert.equal(result.body, undefined);
      }
    } finally {
      await stub.close();
    }
  });

  it('gives up on a reply larger than the cap', async () => {
    const stub = await startHttpsStub((_request, res) => {
      res.end(JSON.stringify({ big: 'x'.repeat(10_000) }));
    });
    try {
      const result = await httpsJson({
        url: new URL('/', stub.url),
        method: 'GET',
        caPem: testCaPem(),
        maxReplyBytes: 1000,
      });
      assert.deepEqual(result, { ok: false, reason: 'reply too large' });
    } finally {
      await stub.close();
    }
  });

  it('times out a reply that trickles in, not only a silent one', async () => {
    const timers: NodeJS.Timeout[] = [];
    const stub = await startHttpsStub((_request, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"slow": "');
      // One byte every 20 ms: never silent long enough for an idle timer.
      timers.push(
        setInterval(() => {
          res.write('x');
        }, 20),
      );
    });
    try {
      const result = await httpsJson({
        url: new URL('/', stub.url),
        method: 'GET',
        caPem: testCaPem(),
        timeoutMs: 300,
      });
      assert.deepEqual(result, { ok: false, reason: 'timed out after 300 ms' });
    } finally {
      for (const timer of timers) clearInterval(timer);
      await stub.close();
    }
  });
});
