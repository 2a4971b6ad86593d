// Part 7, seal under load, the fast version: one seal and unseal while 50
// clients encrypt and decrypt. Every reply is a correct result or 503
// `sealed`; after the unseal, everything answered opens with the same key.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { runSealLoad } from './seal-load-run.js';

describe('seal under load (one round)', () => {
  it('answers 50 clients only correctly or sealed, and works after unseal', async () => {
    const result = await runSealLoad({
      clients: 50,
      rounds: 1,
      correctPerPhase: 200,
      sealedPerPhase: 200,
      timeoutMs: 25_000,
    });
    const { tally } = result;

    assert.deepEqual(tally.examples, []);
    assert.equal(tally.other, 0);
    assert.equal(tally.calls, tally.correct + tally.sealed);
    // The run waits for these counts, so they are there by construction:
    // checked so a run that skipped a phase cannot pass.
    assert.ok(tally.correct >= 400, `correct: ${String(tally.correct)}`);
    assert.ok(tally.sealed >= 200, `sealed: ${String(tally.sealed)}`);
    assert.equal(result.rounds.length, 1);

    assert.ok(result.verified > 0);
    assert.equal(result.wrongAfter, 0);
    assert.equal(result.keyVersion, 1);
    assert.equal(result.freshWorks, true);
  });
});
