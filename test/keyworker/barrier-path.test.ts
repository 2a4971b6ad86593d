// The barrier path rules: valid paths, prefixes and key ids, the rule each
// refusal names, what a message quotes, and which key id seals a path.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import fc from 'fast-check';

import type { MetacryptError } from '../../src/errors/index.js';
import {
  checkKeyId,
  checkPath,
  checkPrefix,
  keyIdForPath,
  MAX_PATH_LENGTH,
  prefixOfKey,
  SYSTEM_KEY_ID,
} from '../../src/keyworker/barrier-path.js';
import { thrownBy } from '../errors/thrown-error.js';

const ALLOWED =
  'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-';

/** invalidPathOf runs fn and returns the `invalid_path` error it throws. */
function invalidPathOf(fn: () => unknown): MetacryptError {
  const err = thrownBy(fn);
  assert.equal(err.code, 'invalid_path');
  assert.equal(err.status, 400);
  assert.match(err.message, /^invalid path: /);
  return err;
}

describe('checkPath', () => {
  it('accepts paths under sys/ and under engine/<mount>/', () => {
    for (const path of [
      'sys/mounts/transit',
      'sys/x',
      'engine/transit/keys/k1',
      'engine/m/x',
      'engine/my_mount-2/a.b/c_d/e-f',
      'sys/v1.2.3/..x/x..',
    ]) {
      assert.equal(checkPath(path), path);
    }
  });

  it('accepts a path of exactly 512 characters and refuses 513', () => {
    const full = ['a', 'b', 'c'].map((c) => c.repeat(128)).join('/');
    const path = `sys/${full}/${'d'.repeat(121)}`;
    assert.equal(path.length, MAX_PATH_LENGTH);
    assert.equal(checkPath(path), path);
    const err = invalidPathOf(() => checkPath(`${path}d`));
    assert.equal(
      err.message,
      'invalid path: path is longer than 512 characters',
    );
  });

  it('accepts a segment of 128 characters and a mount of 64', () => {
    assert.equal(checkPath(`sys/${'s'.repeat(128)}`), `sys/${'s'.repeat(128)}`);
    const path = `engine/${'m'.repeat(64)}/x`;
    assert.equal(checkPath(path), path);
  });

  it('rejects an empty path', () => {
    const err = invalidPathOf(() => checkPath(''));
    assert.equal(err.message, 'invalid path: path is empty');
  });

  it('rejects a path with an empty segment', () => {
    const err = invalidPathOf(() => checkPath('sys//x'));
    assert.equal(
      err.message,
      'invalid path: path "sys//x" has an empty segment',
    );
  });

  it('rejects a leading or a trailing slash as an empty segment', () => {
    for (const path of ['/sys/x', 'sys/x/', '/', 'engine/m/x/']) {
      const err = invalidPathOf(() => checkPath(path));
      assert.match(err.message, /has an empty segment$/);
    }
  });

  it('rejects "." and ".." segments, naming which one', () => {
    for (const [path, segment] of [
      ['sys/./x', '.'],
      ['sys/x/..', '..'],
      ['engine/m/../sys/x', '..'],
      ['./sys/x', '.'],
    ] as const) {
      const err = invalidPathOf(() => checkPath(path));
      assert.equal(
        err.message,
        `invalid path: path ${JSON.stringify(path)} has a "${segment}" segment`,
      );
    }
  });

  it('rejects characters outside letters, digits, ".", "_" and "-"', () => {
    for (const path of [
      'sys/a b',
      'sys/a%2Fb',
      'sys/café',
      'sys/a\u0000b',
      'sys/a\nb',
      'sys/a\\b',
      'sys/a:b',
      'sys/a*',
      'engine/m/k1?x=1',
      'sys/\u{1F511}',
    ]) {
      const err = invalidPathOf(() => checkPath(path));
      assert.match(
        err.message,
        /may use only letters, digits, "\.", "_" and "-" between slashes$/,
      );
    }
  });

  it('rejects a segment longer than 128 characters', () => {
    const err = invalidPathOf(() => checkPath(`sys/${'s'.repeat(129)}`));
    assert.match(err.message, /has a segment longer than 128 characters$/);
  });

  it('rejects a path longer than 512 characters without quoting it', () => {
    const path = `sys/${Array.from({ length: 5 }, () => 'a'.repeat(120)).join('/')}`;
    assert.ok(path.length > MAX_PATH_LENGTH);
    const err = invalidPathOf(() => checkPath(path));
    assert.equal(
      err.message,
      'invalid path: path is longer than 512 characters',
    );
  });

  it('rejects a path not under sys/ or engine/<mount>/', () => {
    for (const path of ['foo/x', 'sys', 'engine', 'engine/m', 'SYS/x', 'x']) {
      const err = invalidPathOf(() => checkPath(path));
      assert.equal(
        err.message,
        `invalid path: ${JSON.stringify(path)} is not under sys/ or ` +
          'engine/<mount>/',
      );
    }
  });

  it('rejects bad mount names', () => {
    for (const path of [
      'engine/.hidden/x',
      'engine/-x/y',
      'engine/_x/y',
      'engine/a.b/y',
      `engine/${'m'.repeat(65)}/x`,
    ]) {
      const err = invalidPathOf(() => checkPath(path));
      assert.match(
        err.message,
        /: a mount name is 1 to 64 letters, digits, "_" or "-", starting with a letter or digit$/,
      );
    }
  });

  it('quotes at most the first 64 characters of a long bad path', () => {
    const head = 'sys/' + 'h'.repeat(60);
    const tail = 'TAIL-'.repeat(40);
    const path = `${head}/${tail} `;
    assert.ok(path.length <= MAX_PATH_LENGTH);
    const err = invalidPathOf(() => checkPath(path));
    assert.ok(err.message.includes(`${JSON.stringify(head)}...`));
    assert.ok(!err.message.includes('TAIL'));
    assert.ok(!err.message.includes(path.slice(0, 65)));

    const longSegment = `sys/${'x'.repeat(100)}SECRET${'y'.repeat(40)}`;
    const segErr = invalidPathOf(() => checkPath(longSegment));
    assert.ok(!segErr.message.includes('SECRET'));
    assert.ok(
      segErr.message.includes(`${JSON.stringify(longSegment.slice(0, 64))}...`),
    );
  });

  it('escapes control characters in the quoted path', () => {
    const path = 'sys/x\ninjected log line\r\u0000\u001b[31m';
    const err = invalidPathOf(() => checkPath(path));
    for (const raw of ['\n', '\r', '\u0000', '\u001b']) {
      assert.ok(!err.message.includes(raw));
    }
    assert.ok(err.message.includes(JSON.stringify(path)));
    assert.ok(err.message.includes('\\n'));
    assert.ok(err.message.includes('\\u0000'));
    assert.ok(err.message.includes('\\u001b'));
  });

  it('leaves no control character raw in a message, DEL and C1 included', () => {
    // DEL (U+007F), NEL (U+0085, a line break to some log readers) and
    // CSI (U+009B, a terminal escape) are control characters as much as
    // "\n" is; JSON.stringify escapes only U+0000 to U+001F.
    for (const bad of ['\u007f', '\u0085', '\u009b']) {
      const err = invalidPathOf(() => checkPath(`sys/x${bad}y`));
      assert.ok(
        !/\p{Cc}/u.test(err.message),
        `raw U+${bad.charCodeAt(0).toString(16).padStart(4, '0')} in ` +
          JSON.stringify(err.message),
      );
    }
  });

  it('refuses non-string input as an empty path rather than crashing', () => {
    const err = invalidPathOf(() => checkPath(undefined as unknown as string));
    assert.equal(err.message, 'invalid path: path is empty');
  });
});

describe('checkPrefix', () => {
  it('accepts the empty prefix and whole segments ending in "/"', () => {
    for (const prefix of ['', 'sys/', 'engine/', 'engine/transit/', 'a/b/c/']) {
      assert.equal(checkPrefix(prefix), prefix);
    }
  });

  it('refuses a prefix without its trailing slash', () => {
    for (const prefix of ['sys', 'engine/transit', 'engine/a/b']) {
      const err = invalidPathOf(() => checkPrefix(prefix));
      assert.equal(
        err.message,
        `invalid path: prefix ${JSON.stringify(prefix)} must end with "/"`,
      );
    }
  });

  it('applies the segment rules to the prefix', () => {
    assert.match(
      invalidPathOf(() => checkPrefix('sys//')).message,
      /^invalid path: prefix "sys\/" has an empty segment$/,
    );
    assert.match(
      invalidPathOf(() => checkPrefix('/')).message,
      /^invalid path: prefix is empty$/,
    );
    assert.match(
      invalidPathOf(() => checkPrefix('sys/../')).message,
      /has a "\.\." segment$/,
    );
    assert.match(
      invalidPathOf(() => checkPrefix('sys/a b/')).message,
      /may use only letters/,
    );
  });
});

describe('checkKeyId', () => {
  it('accepts system and engine/<mount>', () => {
    for (const keyId of [SYSTEM_KEY_ID, 'engine/transit', 'engine/m-1_x']) {
      assert.equal(checkKeyId(keyId), keyId);
    }
    assert.equal(SYSTEM_KEY_ID, 'system');
  });

  it('refuses what is not system or engine/<mount>', () => {
    for (const keyId of ['engine', 'mek', 'sys', 'System', '', 'engine/a\n']) {
      const err = invalidPathOf(() => checkKeyId(keyId));
      assert.equal(
        err.message,
        `invalid path: key id ${JSON.stringify(keyId)} must be system or ` +
          'engine/<mount>',
      );
    }
  });

  it('refuses an engine key id whose mount name is bad', () => {
    for (const keyId of [
      'engine/',
      'engine/a/b',
      'engine/.x',
      'engine/-x',
      `engine/${'m'.repeat(65)}`,
    ]) {
      const err = invalidPathOf(() => checkKeyId(keyId));
      assert.match(err.message, /a mount name is 1 to 64 letters/);
    }
  });
});

describe('keyIdForPath and prefixOfKey', () => {
  it('maps sys/ paths to system and engine paths to their mount', () => {
    assert.equal(keyIdForPath('sys/mounts/transit'), SYSTEM_KEY_ID);
    assert.equal(keyIdForPath('sys/x'), 'system');
    assert.equal(keyIdForPath('engine/m/x'), 'engine/m');
    assert.equal(keyIdForPath('engine/transit/keys/k1'), 'engine/transit');
  });

  it('gives the prefix under which each key seals its entries', () => {
    assert.equal(prefixOfKey(SYSTEM_KEY_ID), 'sys/');
    assert.equal(prefixOfKey('engine/transit'), 'engine/transit/');
    for (const path of ['sys/a/b', 'engine/transit/keys/k1']) {
      assert.ok(path.startsWith(prefixOfKey(keyIdForPath(path))));
    }
    // engine/a/ must not cover engine/ab/.
    assert.ok(!'engine/ab/x'.startsWith(prefixOfKey('engine/a')));
  });
});

describe('barrier path properties', () => {
  const allowedChar = fc
    .integer({ min: 0, max: ALLOWED.length - 1 })
    .map((i) => ALLOWED.charAt(i));
  const segment = fc
    .string({ unit: allowedChar, minLength: 1, maxLength: 64 })
    .filter((s) => s !== '.' && s !== '..');

  it('accepts any sys/ path of 2 to 6 allowed segments, sealed by system', () => {
    fc.assert(
      fc.property(
        fc.array(segment, { minLength: 1, maxLength: 5 }),
        (segments) => {
          const path = ['sys', ...segments].join('/');
          assert.equal(checkPath(path), path);
          assert.equal(keyIdForPath(path), SYSTEM_KEY_ID);
        },
      ),
    );
  });

  it('refuses any string holding a character outside [A-Za-z0-9._/-]', () => {
    const bad = fc
      .string({ unit: 'binary', minLength: 1, maxLength: 1 })
      .filter((c) => !/^[A-Za-z0-9._/-]$/.test(c));
    fc.assert(
      fc.property(fc.string(), bad, fc.string(), (before, c, after) => {
        const text = `${before}${c}${after}`;
        for (const check of [checkPath, checkPrefix, checkKeyId]) {
          const err = invalidPathOf(() => check(text));
          assert.ok(!err.message.includes('\n'));
        }
        // The same character spliced into a valid path is refused too.
        invalidPathOf(() => checkPath(`sys/a${c}b`));
      }),
    );
  });
});
