// Bad input, the fast run: every JSON endpoint of docs/API.md and every
// transit operation by both routes, sent malformed, oversized, deeply
// nested, wrong-typed and unicode-heavy bodies, bad tokens and broken
// HTTP, a few cases each. Every answer must be a 4xx with the right
// `{error, code}`, the server must keep answering, and nothing stored
// may change. test/reliability/fuzz-long.ts runs the same for minutes.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { FUZZ_GROUPS, runFuzz } from './fuzz-run.js';
import type { FuzzBudget } from './fuzz-run.js';
import { startFuzzTarget, storedState } from './fuzz-target.js';
import type { FuzzTarget } from './fuzz-target.js';

// Six cases per endpoint, 432 requests in all. FUZZ_RUNS changes the
// six; FUZZ_SEED replays a run that failed (fast-check prints its seed).
const BUDGET: FuzzBudget = {
  runs: Number(process.env.FUZZ_RUNS ?? 6),
  concurrent: false,
  timeoutMs: 30_000,
  aliveEvery: 25,
  ...(process.env.FUZZ_SEED === undefined
    ? {}
    : { seed: Number(process.env.FUZZ_SEED) }),
};

describe('bad input', () => {
  let target: FuzzTarget;
  let stored: Record<string, unknown>;
  let requests = 0;

  before(async () => {
    target = await startFuzzTarget();
    stored = await storedState(target);
  });

  after(async () => {
    // Also checks that no token or password reached a log line.
    await target.h.close();
  });

  for (const group of FUZZ_GROUPS) {
    it(`refuses bad input to the ${group} endpoints with the right 4xx`, async (t) => {
      const { tally, failures } = await runFuzz(target, [group], BUDGET);
      const outcomes = [...tally.statuses()].map(
        ([key, n]) => `${key}: ${String(n)}`,
      );
      requests += tally.total('requests');
      t.diagnostic(
        `${group}: ${String(tally.total('requests'))} requests ` +
          `(${outcomes.join(', ')}), ${String(tally.aliveChecks)} status checks`,
      );
      assert.deepEqual(failures, []);
      assert.ok(tally.total('requests') >= BUDGET.runs);
      assert.equal(tally.total('fiveXx'), 0);
      assert.equal(tally.total('hangs'), 0);
      assert.equal(tally.aliveFailures, 0);
    });
  }

  it('leaves everything stored as it was', async (t) => {
    t.diagnostic(`${String(requests)} requests in all`);
    assert.deepEqual(await storedState(target), stored);
  });
});
