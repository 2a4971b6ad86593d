// Error replies from the real server: bad bodies, unknown routes, an
// unplanned fault, 429s, and one shape for all of them, `{error, code}`
// as JSON with nothing else in it.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';

import { PASSWORD } from '../keyworker/vault-scratch.js';
import { Harness } from './harness.js';
import type { Reply } from './harness.js';

interface ErrorBody {
  readonly error: string;
  readonly code: string;
}

/**
 * errorBody checks that reply is an error of status in the one shape
 * every error has, and returns its body.
 */
function errorBody(reply: Reply, status: number): ErrorBody {
  assert.equal(reply.status, status, reply.text);
  assert.match(String(reply.headers['content-type']), /^application\/json/);
  const body = reply.json();
  assert.ok(typeof body === 'object' && body !== null, reply.text);
  assert.deepEqual(Object.keys(body).sort(), ['code', 'error']);
  const { error, code } = body as Record<string, unknown>;
  assert.equal(typeof error, 'string');
  assert.equal(typeof code, 'string');
  return body as ErrorBody;
}

const NOT_FOUND = { error: 'not found', code: 'not_found' };

// n arrays, one inside the next: `[[[]]]` for 3.
function nested(n: number): unknown {
  let value: unknown = [];
  for (let i = 1; i < n; i++) value = [value];
  return value;
}

describe('error replies', () => {
  let h: Harness;

  before(async () => {
    h = await Harness.start({
      worker: {
        limiter: { maxFailures: 2, windowMs: 60_000, lockoutMs: 60_000 },
      },
    });
  });

  after(async () => {
    await h.close();
  });

  beforeEach(async () => {
    await h.fresh();
  });

  it('answers malformed JSON with 400 and does not echo the body', async () => {
    const canary = 'zebra-canary-7731';
    h.secret(canary);
    const reply = await h.call('POST', '/v1/init', {
      raw: `{"password":"${canary}"`,
      headers: { 'content-type': 'application/json' },
    });
    assert.deepEqual(errorBody(reply, 400), {
      error: 'malformed JSON',
      code: 'bad_request',
    });
    assert.ok(!reply.text.includes(canary));
  });

  it('answers a body over max_request_bytes with 413', async () => {
    await h.fresh({ server: { max_request_bytes: 2048 } });
    const tooLarge = {
      error: 'request too large: the limit is 2048 bytes',
      code: 'request_too_large',
    };
    const password = 'x'.repeat(3000);
    const sized = await h.call('POST', '/v1/init', { json: { password } });
    assert.deepEqual(errorBody(sized, 413), tooLarge);

    // Without a Content-Length the limit holds while the body is read.
    const chunked = await h.call('POST', '/v1/init', {
      raw: JSON.stringify({ password }),
      headers: { 'transfer-encoding': 'chunked' },
    });
    assert.deepEqual(errorBody(chunked, 413), tooLarge);

    // Under the limit, the body is read and checked as usual.
    const under = await h.call('POST', '/v1/init', {
      json: { password: PASSWORD, pad: 'x'.repeat(1900) },
    });
    assert.deepEqual(errorBody(under, 400), {
      error: 'unknown field pad',
      code: 'bad_request',
    });
  });

  it('refuses JSON nested deeper than 32 levels', async () => {
    // The object is level 1, so 31 arrays inside it make 32 levels: the
    // body is read, and refused only for the field it should not have.
    const deepest = await h.call('POST', '/v1/init', {
      json: { password: PASSWORD, x: nested(31) },
    });
    assert.deepEqual(errorBody(deepest, 400), {
      error: 'unknown field x',
      code: 'bad_request',
    });
    const tooDeep = {
      error: 'body nests deeper than 32 levels',
      code: 'bad_request',
    };
    const deeper = await h.call('POST', '/v1/init', {
      json: { password: PASSWORD, x: nested(32) },
    });
    assert.deepEqual(errorBody(deeper, 400), tooDeep);
    const hostile = 100_000;
    const far = await h.call('POST', '/v1/init', {
      raw: '['.repeat(hostile) + ']'.repeat(hostile),
    });
    assert.deepEqual(errorBody(far, 400), tooDeep);
    assert.deepEqual((await h.call('GET', '/v1/status')).body, {
      state: 'uninitialized',
    });
  });

  it('names the body when it is an array or a string, not an object', async () => {
    for (const raw of ['[]', '["password"]', '"password"', '42']) {
      const body = errorBody(await h.call('POST', '/v1/init', { raw }), 400);
      assert.equal(body.code, 'bad_request', raw);
      assert.equal(body.error, 'body: must be a JSON object', raw);
    }
  });

  it('names an unknown field', async () => {
    const reply = await h.call('POST', '/v1/init', {
      json: { password: PASSWORD, x: 1 },
    });
    assert.deepEqual(errorBody(reply, 400), {
      error: 'unknown field x',
      code: 'bad_request',
    });
    assert.deepEqual((await h.call('GET', '/v1/status')).body, {
      state: 'uninitialized',
    });
  });

  it('answers unknown routes with 404 JSON, under /v1 and outside it', async () => {
    // GET / is the web UI's front door (test/server/ui); a POST there is
    // unknown like any other.
    for (const method of ['GET', 'POST']) {
      const paths = ['/v1/no-such-route', '/v1', '/nothing'];
      if (method === 'POST') paths.push('/');
      for (const path of paths) {
        // Node's client sends a GET body with no length, so none here.
        const reply = await h.call(
          method,
          path,
          method === 'GET' ? {} : { json: {} },
        );
        assert.deepEqual(errorBody(reply, 404), NOT_FOUND, method + path);
      }
    }
  });

  it('answers a known path with the wrong method with 404 JSON', async () => {
    const calls: [string, string][] = [
      ['DELETE', '/v1/status'],
      ['POST', '/v1/health'],
      ['GET', '/v1/init'],
      ['PUT', '/v1/unseal'],
      ['GET', '/v1/seal'],
      ['PATCH', '/v1/policy/rule/some-id'],
      ['DELETE', '/v1/engine/mounts'],
    ];
    for (const [method, path] of calls) {
      const reply = await h.call(method, path);
      assert.deepEqual(errorBody(reply, 404), NOT_FOUND, method + path);
    }
  });

  it('answers an unplanned fault with a bare 500 and logs its class only', async () => {
    const detail = 's3cr3t-detail';
    h.secret(detail);
    await h.init();
    const admin = await h.login('admin');
    const mounted = await h.call('POST', '/v1/engine/mount', {
      token: admin,
      json: { name: 'n', type: 'notes' },
    });
    assert.equal(mounted.status, 201, mounted.text);

    const requestId = 'crash-probe-1';
    const reply = await h.call('POST', '/v1/engine/request', {
      token: admin,
      json: { mount: 'n', operation: 'crash', data: {} },
      headers: { 'x-request-id': requestId },
    });
    assert.deepEqual(errorBody(reply, 500), {
      error: 'internal error',
      code: 'internal',
    });
    assert.ok(!reply.text.includes(detail));
    assert.ok(!reply.text.includes('unplanned'));
    assert.equal(reply.headers['x-request-id'], requestId);

    const lines = h.logLines.map(
      (line) => JSON.parse(line) as Record<string, unknown>,
    );
    const fault = lines.find(
      (line) => line.level === 'error' && line.request_id === requestId,
    );
    assert.ok(fault !== undefined, 'an error line names the request');
    // The engine threw a plain Error: the line says so, and no more.
    const { message } = fault.error as { message?: unknown };
    assert.equal(message, 'key worker: internal error (Error)');
    assert.deepEqual(
      h.logLines.filter((line) => line.includes(detail)),
      [],
    );
  });

  it('gives every error the same JSON shape', async () => {
    const before = await h.call('GET', '/v1/engine/mounts');
    assert.equal(errorBody(before, 412).code, 'not_initialized');
    await h.init();
    const admin = await h.login('admin');
    const alice = await h.login('alice');

    const noToken = await h.call('GET', '/v1/engine/mounts');
    assert.equal(errorBody(noToken, 401).code, 'unauthenticated');
    const badToken = await h.call('GET', '/v1/engine/mounts', {
      token: 'not-a-token',
    });
    assert.equal(errorBody(badToken, 401).code, 'unauthenticated');
    const notAdmin = await h.call('POST', '/v1/seal', { token: alice });
    assert.equal(errorBody(notAdmin, 403).code, 'forbidden');
    const noRule = await h.call('GET', '/v1/policy/rule/absent', {
      token: admin,
    });
    assert.equal(errorBody(noRule, 404).code, 'not_found');
    const again = await h.call('POST', '/v1/init', {
      json: { password: PASSWORD },
    });
    assert.equal(errorBody(again, 409).code, 'already_initialized');
    const badType = await h.call('POST', '/v1/engine/mount', {
      token: admin,
      json: { name: 'x', type: 'no-such-type' },
    });
    assert.equal(errorBody(badType, 400).code, 'bad_request');

    await h.call('POST', '/v1/seal', { token: admin });
    const sealed = await h.call('GET', '/v1/engine/mounts', { token: admin });
    assert.equal(errorBody(sealed, 503).code, 'sealed');
    const wrong = await h.call('POST', '/v1/unseal', {
      json: { password: 'not the seal password' },
    });
    assert.equal(errorBody(wrong, 401).code, 'invalid_password');
  });

  it('sends Retry-After with the unseal lockout', async () => {
    await h.init();
    await h.call('POST', '/v1/seal', { token: await h.login('admin') });
    for (let i = 0; i < 2; i++) {
      const wrong = await h.call('POST', '/v1/unseal', {
        json: { password: `wrong password ${String(i)}` },
      });
      assert.equal(errorBody(wrong, 401).code, 'invalid_password');
    }
    const locked = await h.call('POST', '/v1/unseal', {
      json: { password: PASSWORD },
    });
    const body = errorBody(locked, 429);
    assert.equal(body.code, 'too_many_attempts');
    const retryAfter = String(locked.headers['retry-after']);
    assert.match(retryAfter, /^[1-9]\d*$/);
    assert.equal(
      body.error,
      `too many attempts: try again in ${retryAfter} seconds`,
    );
  });

  it('sends Retry-After with the per-address rate limit', async () => {
    await h.fresh({ server: { auth_rate_limit: 1 } });
    const first = await h.call('POST', '/v1/unseal', {
      json: { password: PASSWORD },
    });
    assert.equal(errorBody(first, 412).code, 'not_initialized');
    const limited = await h.call('POST', '/v1/unseal', {
      json: { password: PASSWORD },
    });
    const body = errorBody(limited, 429);
    assert.equal(body.code, 'rate_limited');
    const retryAfter = String(limited.headers['retry-after']);
    assert.match(retryAfter, /^[1-9]\d*$/);
    assert.equal(
      body.error,
      `too many attempts: try again in ${retryAfter} seconds`,
    );
  });
});
