// "Did you mean" hints: edit distance and the nearest plausible name.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { editDistance, nearest } from '../../src/config/suggest.js';

describe('editDistance', () => {
  it('counts insertions, deletions, substitutions and swaps as one', () => {
    assert.equal(editDistance('listen_addr', 'listen_addr'), 0);
    assert.equal(editDistance('listen_adr', 'listen_addr'), 1);
    assert.equal(editDistance('listen_addrr', 'listen_addr'), 1);
    assert.equal(editDistance('listen_adds', 'listen_addr'), 1);
    assert.equal(editDistance('lsiten_addr', 'listen_addr'), 1);
    assert.equal(editDistance('', 'abc'), 3);
  });
});

describe('nearest', () => {
  const keys = ['listen_addr', 'tls_cert', 'tls_key'];

  it('suggests the closest name within a plausible distance', () => {
    assert.equal(nearest('tls_crt', keys), 'tls_cert');
    assert.equal(nearest('TLS_KEY', keys), 'tls_key');
  });

  it('suggests nothing for a name unlike any known one', () => {
    assert.equal(nearest('database', keys), undefined);
    assert.equal(nearest('x', keys), undefined);
  });
});
