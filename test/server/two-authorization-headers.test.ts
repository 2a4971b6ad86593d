// Regression: a request with two Authorization headers was taken for the
// holder of the first (Node drops the second), so one valid token and one
// junk line passed, and a duplicated header on a logout ended the token.
// Found by the bad-input fuzz (test/reliability/fuzz.test.ts).
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { after, before, describe, it } from 'node:test';

import { testCaPem } from '../fixtures/tls-files.js';
import { errorOf, Harness } from './harness.js';

// Sends each line as a header of its own, which Harness.call cannot.
function withLines(
  h: Harness,
  method: string,
  path: string,
  lines: string[],
): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      h.url + path,
      {
        method,
        ca: testCaPem(),
        agent: false,
        // As a flat list Node adds no Host of its own.
        headers: [
          'host',
          'localhost',
          ...lines.flatMap((line) => ['authorization', line]),
        ],
      },
      (res) => {
        res.resume();
        res.on('end', () => {
          resolve(res.statusCode ?? 0);
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('two Authorization headers', () => {
  let h: Harness;
  let admin: string;

  before(async () => {
    ({ h, admin } = await Harness.startReady());
  });

  after(async () => {
    await h.close();
  });

  it('are refused with 401, whichever of them is valid', async () => {
    const valid = `Bearer ${admin}`;
    for (const lines of [
      [valid, valid],
      [valid, 'Bearer junk'],
      ['Bearer junk', valid],
      [valid, ''],
    ]) {
      assert.equal(await withLines(h, 'GET', '/v1/auth/tokeninfo', lines), 401);
    }
  });

  it('do not log the first token out', async () => {
    const lines = [`Bearer ${admin}`, 'Bearer junk'];
    assert.equal(await withLines(h, 'POST', '/v1/auth/logout', lines), 401);
    const info = await h.call('GET', '/v1/auth/tokeninfo', { token: admin });
    assert.equal(info.status, 200, info.text);
    const refused = await h.call('GET', '/v1/auth/tokeninfo', {
      headers: { authorization: `Bearer ${admin}, Bearer junk` },
    });
    assert.equal(errorOf(refused).code, 'unauthenticated');
  });
});
