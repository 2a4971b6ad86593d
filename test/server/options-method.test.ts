// Regression: OPTIONS on a path with routes was answered by Express with
// 200 and the list of methods, as text, where docs/API.md promises 404
// for a method a path does not take. Found by the bad-input fuzz
// (test/reliability/fuzz.test.ts).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { errorOf, Harness } from './harness.js';

describe('the OPTIONS method', () => {
  let h: Harness;

  before(async () => {
    ({ h } = await Harness.startReady());
  });

  after(async () => {
    await h.close();
  });

  it('answers 404 JSON on API and web UI paths alike', async () => {
    for (const path of [
      '/v1/status',
      '/v1/policy/rules',
      '/v1/transit/t/encrypt/k',
      '/',
      '/login',
    ]) {
      const reply = await h.call('OPTIONS', path);
      assert.equal(reply.status, 404, path);
      assert.deepEqual(errorOf(reply), {
        error: 'not found',
        code: 'not_found',
      });
      assert.equal(reply.headers.allow, undefined, path);
    }
  });
});
