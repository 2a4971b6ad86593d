// Plain words for failed file-system calls, shared by config and db.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

import { errnoCode, errnoReason } from '../../src/errors/index.js';

function failure(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  assert.fail('expected the call to fail');
}

describe('errnoReason', () => {
  it('names the causes an operator can act on in words', () => {
    const missing = failure(() => readFileSync('/nonexistent/metacrypt'));
    assert.equal(errnoCode(missing), 'ENOENT');
    assert.equal(errnoReason(missing), 'no such file or directory');
    assert.equal(
      errnoReason(failure(() => readFileSync('/'))),
      'is a directory',
    );
    const denied = Object.assign(new Error('x'), { code: 'EACCES' });
    assert.equal(errnoReason(denied), 'permission denied');
  });

  it('shows any other errno as its code and ignores non-errno values', () => {
    const busy = Object.assign(new Error('x'), { code: 'EBUSY' });
    assert.equal(errnoReason(busy), 'ebusy');
    assert.equal(errnoReason(new Error('plain')), undefined);
    assert.equal(errnoReason('text'), undefined);
    assert.equal(errnoCode({ code: 'ENOENT' }), undefined);
  });
});
