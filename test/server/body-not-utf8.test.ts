// Regression: a JSON body with bytes that are not UTF-8 was decoded with
// U+FFFD in their place, so `{"password":"<0xff>"}` and
// `{"password":"<0xfe>"}` read as the same password. Such a body is now
// refused. Found by the bad-input fuzz (test/reliability/fuzz.test.ts).
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';

import { errorOf, Harness } from './harness.js';

const PREFIX = Buffer.from('{"password":"correct horse battery ');

function withBytes(...bytes: number[]): Buffer {
  return Buffer.concat([PREFIX, Buffer.from(bytes), Buffer.from('"}')]);
}

describe('request bodies that are not UTF-8', () => {
  let h: Harness;

  before(async () => {
    h = await Harness.start();
  });

  after(async () => {
    await h.close();
  });

  beforeEach(async () => {
    await h.fresh();
  });

  it('are refused with 400 and change nothing', async () => {
    for (const raw of [
      withBytes(0xff),
      withBytes(0xed, 0xa0, 0x80),
      withBytes(0xe2, 0x82),
    ]) {
      const reply = await h.call('POST', '/v1/init', { raw });
      assert.equal(reply.status, 400, reply.text);
      assert.deepEqual(errorOf(reply), {
        error: 'unreadable request body',
        code: 'bad_request',
      });
    }
    const status = await h.call('GET', '/v1/status');
    assert.deepEqual(status.body, { state: 'uninitialized' });
  });

  it('still reads UTF-8 of every length, and refuses a byte order mark', async () => {
    const bom = await h.call('POST', '/v1/init', {
      raw: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{}')]),
    });
    assert.deepEqual(errorOf(bom), {
      error: 'malformed JSON',
      code: 'bad_request',
    });
    const init = await h.call('POST', '/v1/init', {
      raw: Buffer.from(
        '{"password":"correct horse battery \u00e9\u20ac\u{1f600}"}',
      ),
    });
    assert.equal(init.status, 200, init.text);
  });
});
