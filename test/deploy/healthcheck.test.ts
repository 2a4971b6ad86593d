// bin/healthcheck.js against servers that answer well and badly: exit 0
// and the state for a status reply in any state, else exit 1 and one
// line on stderr saying why, with no credential of the URL in it.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';

import { projectPath } from '../../src/paths.js';
import { collectOutput } from '../fixtures/child-output.js';
import type { ChildResult } from '../fixtures/child-output.js';
import {
  closedPort,
  jsonStub,
  startHttpsStub,
  startSilentServer,
} from '../fixtures/stub-servers.js';
import type { StubServer } from '../fixtures/stub-servers.js';

const PROBE = projectPath('bin', 'healthcheck.js');

const stubs: { close(): Promise<void> }[] = [];
after(async () => {
  await Promise.all(stubs.map((stub) => stub.close()));
});

async function kept(stub: Promise<StubServer>): Promise<StubServer> {
  const started = await stub;
  stubs.push(started);
  return started;
}

function probe(url: string | undefined): Promise<ChildResult> {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('METACRYPT_')),
  );
  if (url !== undefined) env.METACRYPT_HEALTHCHECK_URL = url;
  return collectOutput(
    spawn(process.execPath, [PROBE], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
}

// A failed probe: exit 1, nothing on stdout, one line on stderr.
async function failure(url: string | undefined): Promise<string> {
  const result = await probe(url);
  assert.equal(result.status, 1, result.stderr);
  assert.equal(result.stdout, '');
  assert.match(result.stderr, /^healthcheck: [^\n]+\n$/);
  return result.stderr.trimEnd();
}

describe('the health probe', () => {
  it('passes for a status reply in any state', async () => {
    for (const state of ['unsealed', 'sealed', 'uninitialized']) {
      const stub = await kept(jsonStub(200, { state }));
      const result = await probe(`${stub.url}/v1/status`);
      assert.equal(result.stderr, '');
      assert.equal(result.stdout, `healthcheck: ok, ${state}\n`);
      assert.equal(result.status, 0);
      assert.deepEqual(
        stub.requests.map((r) => [r.method, r.path, r.headers.accept]),
        [['GET', '/v1/status', 'application/json']],
      );
    }
  });

  it('fails for a reply that is not a status', async () => {
    const cases: [Promise<StubServer>, string][] = [
      [jsonStub(503, { state: 'sealed' }), 'answered 503'],
      [jsonStub(200, { status: 'ok' }), 'answered without a state'],
      [jsonStub(200, { state: 7 }), 'answered without a state'],
      [jsonStub(200, ['sealed']), 'answered without a state'],
      [jsonStub(200, '{"state":'), 'answered JSON that does not parse'],
      [
        startHttpsStub((_request, res) => {
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
          res.end('<html>sealed</html>');
        }),
        'answered text/html; charset=utf-8, not JSON',
      ],
      [
        startHttpsStub((_request, res) => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ state: 'x'.repeat(70_000) }));
        }),
        'answered too long a reply',
      ],
    ];
    for (const [start, reason] of cases) {
      const stub = await kept(start);
      const url = `${stub.url}/v1/status`;
      assert.equal(await failure(url), `healthcheck: ${url} ${reason}`);
    }
  });

  it('fails for a plain HTTP listener, saying so', async () => {
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"state":"sealed"}');
    });
    await new Promise<void>((resolve) => {
      server.listen(0, '127.0.0.1', resolve);
    });
    stubs.push({
      close: () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => {
            resolve();
          });
        }),
    });
    const { port } = server.address() as AddressInfo;
    const url = `https://127.0.0.1:${port}/v1/status`;
    assert.equal(
      await failure(url),
      `healthcheck: ${url}: no TLS handshake (is it plain HTTP?)`,
    );
  });

  it('fails when nothing listens, or nothing answers within 4 s', async () => {
    const port = await closedPort();
    const refused = `https://127.0.0.1:${port}/v1/status`;
    assert.match(
      await failure(refused),
      new RegExp(`^healthcheck: ${refused}: connect ECONNREFUSED `),
    );

    const silent = await kept(startSilentServer());
    const hung = `${silent.url}/v1/status`;
    assert.equal(
      await failure(hung),
      `healthcheck: no answer from ${hung} within 4 s`,
    );
  });

  it('refuses a URL it cannot use, and never shows the URL given', async () => {
    assert.equal(
      await failure('http://127.0.0.1:8443/v1/status'),
      'healthcheck: METACRYPT_HEALTHCHECK_URL must be an https:// URL',
    );
    assert.equal(
      await failure('not a url'),
      'healthcheck: METACRYPT_HEALTHCHECK_URL is not a URL',
    );

    const port = await closedPort();
    const line = await failure(
      `https://probe:hunter2-secret@127.0.0.1:${port}/v1/status?token=abc123`,
    );
    assert.ok(
      line.startsWith(`healthcheck: https://127.0.0.1:${port}/v1/status:`),
    );
    assert.ok(!line.includes('hunter2') && !line.includes('abc123'), line);
  });
});
