// The words a failed exchange is described with, from error codes alone.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  describeTimeout,
  failureReason,
} from '../../src/net/failure-reason.js';

function withCode(code: string): Error {
  return Object.assign(new Error(`secret-bearing text ${code}`), { code });
}

describe('failureReason', () => {
  it('names the causes an operator can act on', () => {
    const cases: [string, string][] = [
      ['ECONNREFUSED', 'connection refused'],
      ['ECONNRESET', 'connection reset'],
      ['ENOTFOUND', 'host not found'],
      ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'certificate not trusted'],
      ['SELF_SIGNED_CERT_IN_CHAIN', 'certificate not trusted'],
      ['DEPTH_ZERO_SELF_SIGNED_CERT', 'certificate not trusted'],
      ['CERT_HAS_EXPIRED', 'certificate expired'],
      ['ERR_TLS_CERT_ALTNAME_INVALID', 'certificate does not match the host'],
    ];
    for (const [code, reason] of cases) {
      assert.equal(failureReason(withCode(code)), reason);
    }
  });

  it('lowercases an unknown code and never reads the message', () => {
    assert.equal(failureReason(withCode('EWHATEVER')), 'ewhatever');
    assert.equal(failureReason(new Error('token abc')), 'request failed');
  });
});

describe('describeTimeout', () => {
  it('says whole seconds in seconds and anything else in milliseconds', () => {
    assert.equal(describeTimeout(10_000), '10 s');
    assert.equal(describeTimeout(1500), '1500 ms');
  });
});
