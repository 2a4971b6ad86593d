// Encoded argon2id hashes: their cost read in either parameter order,
// bounds on that cost, and checking passwords against them.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';

import {
  argon2idCost,
  hashPassword,
  verifyPassword,
} from '../../src/dev-identity/argon2-hash.js';
import { TEST_ARGON2_COST } from '../fixtures/identity-process.js';

describe('argon2id hashes', () => {
  let hash = '';
  // The same hash with its parameters in the reference tool's order.
  let reordered = '';
  before(async () => {
    hash = await hashPassword('pw', TEST_ARGON2_COST);
    reordered = hash.replace('m=1024,p=1,t=1', 'm=1024,t=1,p=1');
  });

  it('reads the cost in either parameter order', () => {
    assert.match(hash, /\$m=1024,p=1,t=1\$/);
    assert.deepEqual(argon2idCost(hash), TEST_ARGON2_COST);
    assert.deepEqual(argon2idCost(reordered), TEST_ARGON2_COST);
  });

  it('checks a password in either parameter order', async () => {
    assert.equal(await verifyPassword(hash, 'pw'), true);
    assert.equal(await verifyPassword(reordered, 'pw'), true);
    assert.equal(await verifyPassword(hash, 'pW'), false);
  });

  it('refuses other variants, missing parameters and huge costs', () => {
    const bad = [
      hash.replace('$argon2id$', '$argon2i$'),
      hash.replace('v=19', 'v=16'),
      hash.replace('m=1024,p=1,t=1', 'm=1024,p=1,x=1'),
      hash.replace('m=1024,p=1,t=1', 'm=1024,m=1,t=1'),
      hash.replace('m=1024', 'm=99999999'),
      hash.replace('t=1', 't=65'),
      `${hash}$extra`,
    ];
    for (const text of bad) assert.equal(argon2idCost(text), undefined, text);
  });

  it('treats a hash argon2 cannot read as a mismatch', async () => {
    assert.equal(await verifyPassword('not a hash', 'pw'), false);
  });
});
