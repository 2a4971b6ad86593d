// Resource globs: `*` stays within one segment, segment counts must agree,
// and every other character means itself.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import fc from 'fast-check';

import { compileGlob, matchResource } from '../../src/policy/index.js';

// Characters a glob may hold, plus a few that rules refuse but that
// matching must still treat literally.
const CHARS = Array.from('ab./-_*Z9(+?[\\$^|');
const text = fc.string({ unit: fc.constantFrom(...CHARS), maxLength: 12 });

// A model of the matcher built from a regular expression, to compare with.
function modelMatch(glob: string, resource: string): boolean {
  const source = glob
    .split('*')
    .map((piece) => piece.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&'))
    .join('[^/]*');
  return new RegExp(`^${source}$`, 's').test(resource);
}

describe('matchResource', () => {
  it('matches the examples a policy writer relies on', () => {
    const cases: [string, string, boolean][] = [
      ['engine/transit/encrypt', 'engine/transit/encrypt', true],
      ['engine/transit/encrypt', 'engine/transit/decrypt', false],
      ['engine/*/encrypt', 'engine/t1/encrypt', true],
      ['engine/*/encrypt', 'engine/a/b/encrypt', false],
      ['engine/*/encrypt', 'engine//encrypt', true],
      ['engine/transit/*', 'engine/transit/sign', true],
      ['engine/transit/*', 'engine/transit', false],
      ['engine/transit/*', 'engine/transit/keys/k1', false],
      ['engine/tr*/encrypt', 'engine/transit/encrypt', true],
      ['engine/tr*/encrypt', 'engine/tr/encrypt', true],
      ['engine/tr*/encrypt', 'engine/ca/encrypt', false],
      ['engine/*sit/*', 'engine/transit/x', true],
      ['engine/t*n*t/x', 'engine/transit/x', true],
      ['engine/t*n*t/x', 'engine/tnt/x', true],
      ['engine/t*n*t/x', 'engine/tn/x', false],
      ['engine/a*a/x', 'engine/a/x', false],
      ['engine/a*a/x', 'engine/aa/x', true],
      ['*/*/*', 'engine/transit/encrypt', true],
      ['*', 'engine/transit/encrypt', false],
      ['engine/Transit/encrypt', 'engine/transit/encrypt', false],
      ['engine/t.t/x', 'engine/tat/x', false],
    ];
    for (const [glob, resource, expected] of cases) {
      assert.equal(
        matchResource(glob, resource),
        expected,
        `${glob} against ${resource}`,
      );
    }
  });

  it('never lets "*" match a text that holds a "/"', () => {
    const withSlash = fc
      .tuple(text, text)
      .map(([before, after]) => `${before}/${after}`);
    fc.assert(
      fc.property(withSlash, (resource) => {
        assert.equal(matchResource('*', resource), false);
      }),
      { numRuns: 500 },
    );
  });

  it('matches any text without a "/" with a lone "*"', () => {
    const noSlash = text.map((t) => t.replaceAll('/', ''));
    fc.assert(
      fc.property(noSlash, (resource) => {
        assert.equal(matchResource('*', resource), true);
      }),
    );
  });

  it('agrees with a regular-expression model for any glob and text', () => {
    fc.assert(
      fc.property(text, text, (glob, resource) => {
        assert.equal(
          matchResource(glob, resource),
          modelMatch(glob, resource),
          `${glob} against ${resource}`,
        );
      }),
      { numRuns: 2000 },
    );
  });

  it('agrees with the model when the text is made to fit the glob', () => {
    // Replacing each "*" with some text gives a resource that should
    // match exactly when the replacements hold no "/".
    const fitted = fc
      .tuple(text, fc.array(text, { minLength: 8, maxLength: 8 }))
      .map(([glob, fills]) => {
        let i = 0;
        const resource = glob.replace(/\*/g, () => fills[i++ % 8] ?? '');
        return [glob, resource] as const;
      });
    fc.assert(
      fc.property(fitted, ([glob, resource]) => {
        assert.equal(matchResource(glob, resource), modelMatch(glob, resource));
      }),
      { numRuns: 1000 },
    );
  });

  it('compiles a glob once and hands back the same matcher', () => {
    assert.equal(compileGlob('engine/*/sign'), compileGlob('engine/*/sign'));
  });

  it('still matches correctly after the cache has turned over', () => {
    for (let i = 0; i < 5000; i++) compileGlob(`engine/m${String(i)}/*`);
    assert.equal(matchResource('engine/m1/*', 'engine/m1/x'), true);
    assert.equal(matchResource('engine/m1/*', 'engine/m2/x'), false);
  });
});
