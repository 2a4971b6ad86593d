// Zeroize helpers, constant-time comparison and secure random bytes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  constantTimeEqual,
  isAllZero,
  randomBytes,
  withZeroized,
  zeroize,
} from '../../src/crypto/index.js';

describe('zeroize', () => {
  it('wipes every buffer given and skips missing ones', () => {
    const a = randomBytes(32);
    const b = new Uint8Array([1, 2, 3]);
    zeroize(a, undefined, b, null);
    assert.ok(isAllZero(a));
    assert.ok(isAllZero(b));
  });

  it('skips a view whose buffer was transferred and wipes the rest', () => {
    const before = randomBytes(32);
    const moved = new Uint8Array(randomBytes(32));
    const after = Buffer.from('secret');
    const copy = structuredClone(moved.buffer, { transfer: [moved.buffer] });
    // The view is detached: filling it would throw a TypeError.
    assert.equal(moved.byteLength, 0);
    assert.equal(moved.buffer.byteLength, 0);
    assert.throws(() => moved.fill(0), TypeError);
    assert.doesNotThrow(() => {
      zeroize(before, moved, after);
    });
    assert.ok(isAllZero(before));
    assert.ok(isAllZero(after));
    // The memory now belongs to the receiver and is left as it was.
    assert.equal(copy.byteLength, 32);
    assert.ok(!isAllZero(new Uint8Array(copy)));
  });

  it('withZeroized wipes after a return, a throw and a settled promise', async () => {
    const returned = Buffer.from('secret');
    assert.equal(
      withZeroized(returned, (s) => s.length),
      6,
    );
    assert.ok(isAllZero(returned));

    const thrown = Buffer.from('secret');
    assert.throws(() =>
      withZeroized(thrown, () => {
        throw new Error('boom');
      }),
    );
    assert.ok(isAllZero(thrown));

    const later = Buffer.from('secret');
    const seen = await withZeroized(later, async (s) => {
      await new Promise((resolve) => setImmediate(resolve));
      return Buffer.from(s).toString();
    });
    assert.equal(seen, 'secret');
    assert.ok(isAllZero(later));

    const rejected = Buffer.from('secret');
    await assert.rejects(
      withZeroized(rejected, () => Promise.reject(new Error('late boom'))),
    );
    assert.ok(isAllZero(rejected));
  });
});

describe('constantTimeEqual', () => {
  it('compares contents, including buffers of different lengths', () => {
    assert.equal(
      constantTimeEqual(Buffer.from('abc'), Buffer.from('abc')),
      true,
    );
    assert.equal(
      constantTimeEqual(Buffer.from('abc'), Buffer.from('abd')),
      false,
    );
    assert.equal(
      constantTimeEqual(Buffer.from('abc'), Buffer.from('abcd')),
      false,
    );
    assert.equal(constantTimeEqual(Buffer.alloc(0), Buffer.alloc(0)), true);
  });
});

describe('randomBytes', () => {
  it('returns unpooled buffers of the asked length that differ', () => {
    const a = randomBytes(32);
    const b = randomBytes(32);
    assert.equal(a.length, 32);
    assert.notDeepEqual(a, b);
    // Its own ArrayBuffer, not a slice of Node's shared pool.
    assert.equal(a.buffer.byteLength, 32);
    assert.equal(randomBytes(0).length, 0);
    assert.throws(() => randomBytes(-1), RangeError);
  });
});
