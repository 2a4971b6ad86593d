// Properties of the AES-256-GCM frame: confidentiality, integrity,
// binding to its context, nonce uniqueness and clear errors on bad input.
import assert from 'node:assert/strict';
import { createDecipheriv } from 'node:crypto';
import { describe, it } from 'node:test';

import fc from 'fast-check';

import {
  aeadDecrypt,
  aeadEncrypt,
  NONCE_LENGTH,
  parseFrameHeader,
  randomBytes,
  TAG_LENGTH,
} from '../../src/crypto/index.js';
import { codeOf } from '../errors/thrown-error.js';

const key = randomBytes(32);
const ref = { id: 'engine/transit', version: 7 };

describe('aead frame', () => {
  it('round-trips any plaintext and associated data', () => {
    fc.assert(
      fc.property(fc.uint8Array(), fc.string(), (plaintext, ad) => {
        const frame = aeadEncrypt(key, ref, plaintext, ad);
        assert.deepEqual(
          new Uint8Array(aeadDecrypt(key, frame, ad)),
          plaintext,
        );
      }),
    );
  });

  it('stores no run of the plaintext in the frame', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 512 }), (pt) => {
        const frame = aeadEncrypt(key, ref, pt, 'sys/mounts/a');
        // Any 16-byte window of the plaintext showing up would mean the
        // bytes were stored in the clear.
        for (let i = 0; i + 16 <= pt.length; i += 16) {
          assert.equal(frame.indexOf(pt.subarray(i, i + 16)), -1);
        }
      }),
    );
  });

  it('is standard AES-256-GCM that an independent decipher opens', () => {
    const plaintext = Buffer.from('the quick brown fox');
    const frame = aeadEncrypt(key, ref, plaintext, 'ctx');
    const headerLength = 2 + Buffer.byteLength(ref.id) + 4 + NONCE_LENGTH;
    const nonce = frame.subarray(headerLength - NONCE_LENGTH, headerLength);
    const decipher = createDecipheriv('aes-256-gcm', key, nonce);
    decipher.setAAD(
      Buffer.concat([frame.subarray(0, headerLength), Buffer.from('ctx')]),
    );
    decipher.setAuthTag(frame.subarray(frame.length - TAG_LENGTH));
    const out = Buffer.concat([
      decipher.update(frame.subarray(headerLength, frame.length - TAG_LENGTH)),
      decipher.final(),
    ]);
    assert.deepEqual(out, plaintext);
  });

  it('names its key in a header readable without the key', () => {
    const frame = aeadEncrypt(key, ref, Buffer.from('x'), '');
    assert.deepEqual(parseFrameHeader(frame), {
      formatVersion: 1,
      id: 'engine/transit',
      version: 7,
    });
  });

  it('fails authentication when any single byte is flipped', () => {
    const frame = aeadEncrypt(key, ref, Buffer.from('integrity'), 'p');
    const headerLength = 2 + Buffer.byteLength(ref.id) + 4 + NONCE_LENGTH;
    for (let i = 0; i < frame.length; i++) {
      for (const mask of [0x01, 0x80, 0xff]) {
        const bad = Buffer.from(frame);
        bad[i] = (bad[i] ?? 0) ^ mask;
        const code = codeOf(() => aeadDecrypt(key, bad, 'p'));
        // A flip in the header may make the frame unparseable (a new
        // version byte, id length or key version 0, an id that is no
        // longer UTF-8); every other flip must fail the tag.
        const expected =
          i < headerLength - NONCE_LENGTH
            ? ['crypto_malformed', 'crypto_auth_failed']
            : ['crypto_auth_failed'];
        assert.ok(expected.includes(code), `byte ${i}: ${code}`);
      }
    }
  });

  it('rejects a key id that is not UTF-8 as malformed', () => {
    const frame = aeadEncrypt(
      key,
      { id: 'ab', version: 1 },
      Buffer.from('x'),
      '',
    );
    frame[2] = 0xff;
    assert.throws(() => aeadDecrypt(key, frame, ''), {
      code: 'crypto_malformed',
      message: 'crypto: ciphertext key id is not UTF-8',
    });
  });

  it('fails with the wrong associated data', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (ad, other) => {
        fc.pre(ad !== other);
        const frame = aeadEncrypt(key, ref, Buffer.from('bound'), ad);
        assert.equal(
          codeOf(() => aeadDecrypt(key, frame, other)),
          'crypto_auth_failed',
        );
      }),
    );
  });

  it('fails with the wrong key', () => {
    const frame = aeadEncrypt(key, ref, Buffer.from('secret'), 'p');
    assert.equal(
      codeOf(() => aeadDecrypt(randomBytes(32), frame, 'p')),
      'crypto_auth_failed',
    );
  });

  it('uses a fresh nonce for every encryption', () => {
    const seen = new Set<string>();
    const headerLength = 2 + Buffer.byteLength(ref.id) + 4 + NONCE_LENGTH;
    for (let i = 0; i < 100_000; i++) {
      const frame = aeadEncrypt(key, ref, Buffer.alloc(0), '');
      seen.add(
        frame
          .subarray(headerLength - NONCE_LENGTH, headerLength)
          .toString('hex'),
      );
    }
    assert.equal(seen.size, 100_000);
  });

  it('gives two encryptions of one value different frames', () => {
    const a = aeadEncrypt(key, ref, Buffer.from('same'), 'p');
    const b = aeadEncrypt(key, ref, Buffer.from('same'), 'p');
    assert.notDeepEqual(a, b);
  });

  it('rejects keys that are not 32 bytes', () => {
    for (const length of [0, 16, 24, 31, 33, 64]) {
      const badKey = Buffer.alloc(length, 1);
      assert.throws(() => aeadEncrypt(badKey, ref, Buffer.from('x'), ''), {
        code: 'crypto_key_length',
        message: `crypto: key must be 32 bytes, got ${length}`,
      });
      assert.throws(() => aeadDecrypt(badKey, Buffer.alloc(64), ''), {
        code: 'crypto_key_length',
      });
    }
  });

  it('rejects every truncation with a clear error', () => {
    const frame = aeadEncrypt(key, ref, Buffer.from('truncate me'), 'p');
    for (let length = 0; length < frame.length; length++) {
      const code = codeOf(() =>
        aeadDecrypt(key, frame.subarray(0, length), 'p'),
      );
      assert.ok(
        ['crypto_malformed', 'crypto_auth_failed'].includes(code),
        `length ${length}: ${code}`,
      );
    }
    assert.throws(() => aeadDecrypt(key, Buffer.alloc(0), 'p'), {
      code: 'crypto_malformed',
      message: 'crypto: ciphertext is truncated',
    });
    assert.throws(() => aeadDecrypt(key, frame.subarray(0, 20), 'p'), {
      code: 'crypto_malformed',
      message: 'crypto: ciphertext is truncated',
    });
  });

  it('rejects an unknown format version', () => {
    const frame = aeadEncrypt(key, ref, Buffer.from('x'), '');
    frame[0] = 9;
    assert.throws(() => aeadDecrypt(key, frame, ''), {
      code: 'crypto_malformed',
      message: 'crypto: unsupported ciphertext format version 9',
    });
  });

  it('keeps plaintext and key bytes out of its error messages', () => {
    const secret = Buffer.from('do-not-print-this-plaintext');
    const frame = aeadEncrypt(key, ref, secret, 'p');
    frame.writeUInt8(frame.readUInt8(frame.length - 1) ^ 1, frame.length - 1);
    try {
      aeadDecrypt(key, frame, 'p');
      assert.fail('expected an error');
    } catch (err) {
      const text = String(err) + JSON.stringify(err);
      assert.ok(!text.includes('do-not-print'));
      assert.ok(!text.includes(key.toString('hex')));
      assert.ok(!text.includes(key.toString('base64')));
    }
  });

  it('refuses bad key references when encrypting', () => {
    const pt = Buffer.from('x');
    assert.throws(
      () => aeadEncrypt(key, { id: '', version: 1 }, pt, ''),
      RangeError,
    );
    assert.throws(
      () => aeadEncrypt(key, { id: 'a'.repeat(256), version: 1 }, pt, ''),
      RangeError,
    );
    assert.throws(
      () => aeadEncrypt(key, { id: 'a', version: 0 }, pt, ''),
      RangeError,
    );
    assert.throws(
      () => aeadEncrypt(key, { id: 'a', version: 1.5 }, pt, ''),
      RangeError,
    );
  });
});
