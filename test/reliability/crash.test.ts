// The short version of the crash run (the long one is `crash` in
// long-parts.ts): three SIGKILLs of a server under writes, each followed by
// SQLite's checks, a restart, an unseal and a read of every acknowledged
// write.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { runCrashRounds } from './crash-rounds.js';
import { Random } from './crash-random.js';

describe('crash safety', () => {
  it('loses no acknowledged write over three kills of the server', async () => {
    const random = Random.fromEnv('METACRYPT_CRASH_SEED');
    const result = await runCrashRounds({
      rounds: 3,
      killAfterMs: { min: 0, max: 500 },
      minAcknowledged: 10,
      concurrency: 4,
      random,
    });
    const seed = `seed ${String(result.seed)}`;

    assert.equal(result.rounds.length, 3);
    for (const round of result.rounds) {
      assert.equal(round.integrity, 'ok', seed);
      assert.equal(round.foreignKeyViolations, 0, seed);
    }
    assert.equal(result.finalIntegrity, 'ok', seed);
    assert.deepEqual(result.lost, [], seed);
    assert.deepEqual(result.torn, [], seed);
    assert.deepEqual(result.errors, [], seed);
    // The kill waits for ten acknowledged writes a round, so at least
    // thirty were checked, and with at most six mounts, most of them
    // were keys and rules.
    assert.ok(result.acknowledgedTotal >= 30, seed);
    assert.ok(result.acknowledgedTotal - result.acknowledged.mount >= 24, seed);
  });
});
