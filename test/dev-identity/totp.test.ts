// TOTP codes as RFC 6238 defines them, the drift the server allows, and
// the RFC 4648 base32 decoding of secrets.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  decodeBase32,
  isTotpSecret,
  totpCode,
  verifyTotp,
} from '../../src/dev-identity/totp.js';

// RFC 6238 Appendix B: the SHA-1 secret is the ASCII "12345678901234567890".
const RFC_SECRET = Buffer.from('12345678901234567890', 'ascii');
const RFC_SECRET_BASE32 = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
const STEP_MS = 30_000;

describe('totpCode', () => {
  it('matches the RFC 6238 SHA-1 test vectors cut to six digits', () => {
    // The RFC lists eight digits; six-digit codes are their last six.
    const vectors: [number, string][] = [
      [59, '94287082'],
      [1111111109, '07081804'],
      [1111111111, '14050471'],
      [1234567890, '89005924'],
      [2000000000, '69279037'],
      [20000000000, '65353130'],
    ];
    for (const [seconds, eight] of vectors) {
      assert.equal(totpCode(RFC_SECRET, seconds * 1000), eight.slice(2));
    }
  });
});

describe('verifyTotp', () => {
  const now = 1_700_000_000_000;

  it('accepts the current code and those of the steps either side', () => {
    for (const step of [-1, 0, 1]) {
      const code = totpCode(RFC_SECRET, now + step * STEP_MS);
      assert.ok(verifyTotp(RFC_SECRET_BASE32, code, now), `step ${step}`);
    }
  });

  it('refuses codes two steps away', () => {
    for (const step of [-2, 2]) {
      const code = totpCode(RFC_SECRET, now + step * STEP_MS);
      assert.ok(!verifyTotp(RFC_SECRET_BASE32, code, now), `step ${step}`);
    }
  });

  it('refuses anything that is not six digits', () => {
    const code = totpCode(RFC_SECRET, now);
    for (const bad of ['', code.slice(1), `${code}0`, ` ${code}`, 'abcdef']) {
      assert.ok(!verifyTotp(RFC_SECRET_BASE32, bad, now), JSON.stringify(bad));
    }
  });

  it('refuses every code for a secret that is not base32', () => {
    assert.ok(!verifyTotp('not base32!', totpCode(RFC_SECRET, now), now));
  });
});

describe('decodeBase32', () => {
  it('decodes the RFC 4648 test vectors, padded or not, in either case', () => {
    const vectors: [string, string][] = [
      ['MY======', 'f'],
      ['MZXQ====', 'fo'],
      ['MZXW6===', 'foo'],
      ['MZXW6YQ=', 'foob'],
      ['MZXW6YTB', 'fooba'],
      ['MZXW6YTBOI======', 'foobar'],
    ];
    for (const [encoded, plain] of vectors) {
      assert.equal(decodeBase32(encoded)?.toString('ascii'), plain);
      const bare = encoded.replace(/=+$/, '').toLowerCase();
      assert.equal(decodeBase32(bare)?.toString('ascii'), plain);
    }
  });

  it('refuses characters outside the alphabet and impossible lengths', () => {
    for (const bad of ['', 'MZXW1', 'MZXW8', 'MZ0W', 'M', 'MZX', 'MZXW6Y']) {
      assert.equal(decodeBase32(bad), undefined, bad);
    }
  });
});

describe('isTotpSecret', () => {
  it('wants base32 of at least 80 bits', () => {
    assert.ok(isTotpSecret('JBSWY3DPEHPK3PXP'));
    assert.ok(!isTotpSecret('JBSWY3DPEHPK3P'));
    assert.ok(!isTotpSecret('JBSWY3DPEHPK3PX!'));
  });
});
