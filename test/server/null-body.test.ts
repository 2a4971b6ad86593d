// Regression: a request body of JSON `null` was read as a missing body,
// `{}`, so `null` sent to POST /v1/transit/<mount>/create-key/<key>
// created the key, where docs/API.md says a body must be an object. Found
// by the bad-input fuzz (test/reliability/fuzz.test.ts).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { errorOf, Harness } from './harness.js';

const NOT_AN_OBJECT = {
  error: 'body: must be a JSON object',
  code: 'bad_request',
};

describe('a request body of null', () => {
  let h: Harness;
  let admin: string;

  before(async () => {
    ({ h, admin } = await Harness.startReady());
    const mounted = await h.call('POST', '/v1/engine/mount', {
      token: admin,
      json: { name: 'transit', type: 'transit' },
    });
    assert.equal(mounted.status, 201, mounted.text);
  });

  after(async () => {
    await h.close();
  });

  it('is refused as not an object, by typed routes and the others', async () => {
    const created = await h.call('POST', '/v1/transit/transit/create-key/k1', {
      token: admin,
      raw: 'null',
    });
    assert.deepEqual(errorOf(created), NOT_AN_OBJECT);
    const keys = await h.call('POST', '/v1/transit/transit/list-keys', {
      token: admin,
    });
    assert.deepEqual(keys.body, { keys: [] });

    const unseal = await h.call('POST', '/v1/unseal', { raw: 'null' });
    assert.deepEqual(errorOf(unseal), NOT_AN_OBJECT);
    const mount = await h.call('POST', '/v1/engine/mount', {
      token: admin,
      raw: 'null',
    });
    assert.deepEqual(errorOf(mount), NOT_AN_OBJECT);
  });

  it('still leaves a missing body, and data of null, as {}', async () => {
    const listed = await h.call('POST', '/v1/engine/request', {
      token: admin,
      json: { mount: 'transit', operation: 'list-keys', data: null },
    });
    assert.deepEqual(listed.body, { keys: [] });
    const unseal = await h.call('POST', '/v1/unseal', { token: admin });
    assert.deepEqual(errorOf(unseal), {
      error: 'password: is required',
      code: 'bad_request',
    });
  });
});
