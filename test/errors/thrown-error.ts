// Test helpers that catch a MetacryptError and hand it back for checking.
import assert from 'node:assert/strict';

import { MetacryptError } from '../../src/errors/index.js';

/** thrownBy runs fn and returns the MetacryptError it throws. */
export function thrownBy(fn: () => unknown): MetacryptError {
  try {
    fn();
  } catch (err) {
    assert.ok(
      err instanceof MetacryptError,
      `not a MetacryptError: ${String(err)}`,
    );
    return err;
  }
  assert.fail('expected an error');
}

/** codeOf runs fn and returns the code of the MetacryptError it throws. */
export function codeOf(fn: () => unknown): string {
  return thrownBy(fn).code;
}

/** isCode makes an assert.rejects check for a MetacryptError's code. */
export function isCode(code: string): (err: unknown) => boolean {
  return (err: unknown) => err instanceof MetacryptError && err.code === code;
}
