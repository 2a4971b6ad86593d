// UnsealLimiter on a real SQLite file with an injected clock: when it locks,
// what it tells the caller, and that a restart does not reset it.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import type { Database } from '../../src/db/index.js';
import { openMigratedDatabase } from '../../src/db/index.js';
import type { MetacryptError } from '../../src/errors/index.js';
import {
  UNSEAL_LIMIT,
  UnsealLimiter,
} from '../../src/keyworker/unseal-limiter.js';
import type { LimiterPolicy } from '../../src/keyworker/unseal-limiter.js';
import { makeTempDir, removeDir } from '../db/scratch.js';
import { thrownBy } from '../errors/thrown-error.js';

// A fixed, realistic epoch so failed_at is never negative.
const T0 = Date.UTC(2025, 0, 1);

/** lockoutOf runs limiter.check() and returns the lockout it throws. */
function lockoutOf(limiter: UnsealLimiter): MetacryptError {
  const err = thrownBy(() => {
    limiter.check();
  });
  assert.equal(err.code, 'too_many_attempts');
  assert.equal(err.status, 429);
  return err;
}

function rowCount(db: Database): number {
  const row = db
    .prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM unseal_attempts')
    .get();
  return row?.n ?? -1;
}

describe('UnsealLimiter', () => {
  let dir: string;
  let files = 0;
  before(() => {
    dir = makeTempDir();
  });
  after(() => {
    removeDir(dir);
  });

  /**
   * withLimiter opens a fresh migrated database, hands fn a limiter on it
   * with a clock the test moves, and closes the database afterwards.
   */
  function withLimiter(
    fn: (limiter: UnsealLimiter, clock: { now: number }, db: Database) => void,
    policy: LimiterPolicy = UNSEAL_LIMIT,
  ): void {
    const { db } = openMigratedDatabase(join(dir, `v${String(++files)}.db`));
    try {
      const clock = { now: T0 };
      fn(new UnsealLimiter(db, policy, () => clock.now), clock, db);
    } finally {
      db.close();
    }
  }

  it('has the production policy of five failures a minute, locking a minute', () => {
    assert.deepEqual(
      { ...UNSEAL_LIMIT },
      { maxFailures: 5, windowMs: 60_000, lockoutMs: 60_000 },
    );
    assert.ok(Object.isFrozen(UNSEAL_LIMIT));
  });

  it('passes check() with no failures recorded', () => {
    withLimiter((limiter) => {
      assert.doesNotThrow(() => {
        limiter.check();
      });
    });
  });

  it('does not lock after four failures', () => {
    withLimiter((limiter, clock) => {
      for (let i = 0; i < 4; i++) {
        limiter.recordFailure();
        clock.now += 1_000;
      }
      assert.doesNotThrow(() => {
        limiter.check();
      });
    });
  });

  it('locks on the fifth failure within 60 s, for 60 s', () => {
    withLimiter((limiter, clock) => {
      for (let i = 0; i < 5; i++) {
        if (i > 0) clock.now += 10_000;
        limiter.recordFailure();
      }
      const err = lockoutOf(limiter);
      assert.equal(err.retryAfterSeconds, 60);
      assert.equal(err.message, 'too many attempts: try again in 60 seconds');
    });
  });

  it('counts the seconds left down as the clock moves on', () => {
    withLimiter((limiter, clock) => {
      for (let i = 0; i < 5; i++) limiter.recordFailure();
      const start = clock.now;
      const expected: [number, number][] = [
        [1, 60],
        [999, 60],
        [1_000, 59],
        [30_000, 30],
        [59_000, 1],
        [59_500, 1],
        [59_999, 1],
      ];
      for (const [elapsed, seconds] of expected) {
        clock.now = start + elapsed;
        const err = lockoutOf(limiter);
        assert.equal(err.retryAfterSeconds, seconds, `after ${elapsed} ms`);
        assert.equal(
          err.message,
          `too many attempts: try again in ${seconds} seconds`,
        );
      }
      clock.now = start + 60_000;
      assert.doesNotThrow(() => {
        limiter.check();
      });
    });
  });

  it('does not lock on five failures spread over more than 60 s', () => {
    withLimiter((limiter, clock) => {
      for (let i = 0; i < 5; i++) {
        if (i > 0) clock.now += 20_000;
        limiter.recordFailure();
        assert.doesNotThrow(() => {
          limiter.check();
        });
      }
      // Keeping the pace up never adds up to five within a window.
      for (let i = 0; i < 20; i++) {
        clock.now += 20_000;
        limiter.recordFailure();
      }
      assert.doesNotThrow(() => {
        limiter.check();
      });
    });
  });

  it('keeps a lockout across closing and reopening the database', () => {
    const path = join(dir, 'restart.db');
    let now = T0;
    const first = openMigratedDatabase(path).db;
    try {
      const limiter = new UnsealLimiter(first, UNSEAL_LIMIT, () => now);
      for (let i = 0; i < 5; i++) limiter.recordFailure();
      lockoutOf(limiter);
    } finally {
      first.close();
    }

    now = T0 + 20_000;
    const second = openMigratedDatabase(path).db;
    try {
      const limiter = new UnsealLimiter(second, UNSEAL_LIMIT, () => now);
      const err = lockoutOf(limiter);
      assert.equal(err.retryAfterSeconds, 40);
      now = T0 + 60_000;
      assert.doesNotThrow(() => {
        limiter.check();
      });
    } finally {
      second.close();
    }
  });

  it('keeps counting failures across a restart', () => {
    const path = join(dir, 'restart-count.db');
    let now = T0;
    const first = openMigratedDatabase(path).db;
    try {
      const limiter = new UnsealLimiter(first, UNSEAL_LIMIT, () => now);
      for (let i = 0; i < 4; i++) limiter.recordFailure();
    } finally {
      first.close();
    }
    now += 5_000;
    const second = openMigratedDatabase(path).db;
    try {
      const limiter = new UnsealLimiter(second, UNSEAL_LIMIT, () => now);
      limiter.check();
      limiter.recordFailure();
      assert.equal(lockoutOf(limiter).retryAfterSeconds, 60);
    } finally {
      second.close();
    }
  });

  it('forgets every failure on reset()', () => {
    withLimiter((limiter, clock, db) => {
      for (let i = 0; i < 4; i++) limiter.recordFailure();
      limiter.reset();
      assert.equal(rowCount(db), 0);
      clock.now += 1_000;
      limiter.recordFailure();
      assert.doesNotThrow(() => {
        limiter.check();
      });

      for (let i = 0; i < 5; i++) limiter.recordFailure();
      lockoutOf(limiter);
      limiter.reset();
      assert.doesNotThrow(() => {
        limiter.check();
      });
    });
  });

  it('does not re-lock on the first failure after a lockout ends', () => {
    withLimiter((limiter, clock) => {
      for (let i = 0; i < 5; i++) {
        limiter.recordFailure();
        clock.now += 1_000;
      }
      clock.now = T0 + 4_000 + 60_000;
      limiter.check();
      limiter.recordFailure();
      assert.doesNotThrow(() => {
        limiter.check();
      });
      // Four more fresh failures make five after the lockout: locked again.
      for (let i = 0; i < 3; i++) {
        clock.now += 1_000;
        limiter.recordFailure();
        limiter.check();
      }
      clock.now += 1_000;
      limiter.recordFailure();
      assert.equal(lockoutOf(limiter).retryAfterSeconds, 60);
    });
  });

  it('does not recount the locked-out failures when lockoutMs < windowMs', () => {
    const policy = { maxFailures: 5, windowMs: 60_000, lockoutMs: 1_000 };
    withLimiter((limiter, clock) => {
      for (let i = 0; i < 5; i++) limiter.recordFailure();
      assert.equal(lockoutOf(limiter).retryAfterSeconds, 1);
      clock.now += 1_000;
      limiter.check();
      // The five failures are still inside the 60 s window, but they
      // already cost a lockout.
      limiter.recordFailure();
      assert.doesNotThrow(() => {
        limiter.check();
      });
      for (let i = 0; i < 3; i++) {
        clock.now += 100;
        limiter.recordFailure();
      }
      limiter.check();
      clock.now += 100;
      limiter.recordFailure();
      assert.equal(lockoutOf(limiter).retryAfterSeconds, 1);
    }, policy);
  });

  it('ignores failures stamped in the future when the clock is set back', () => {
    withLimiter((limiter, clock) => {
      for (let i = 0; i < 5; i++) limiter.recordFailure();
      lockoutOf(limiter);
      clock.now = T0 - 3_600_000;
      assert.doesNotThrow(() => {
        limiter.check();
      });
      // The future rows do not add to failures made now either.
      for (let i = 0; i < 4; i++) limiter.recordFailure();
      assert.doesNotThrow(() => {
        limiter.check();
      });
      clock.now = T0;
      lockoutOf(limiter);
    });
  });

  it('keeps the table small over 1,000 failures spread across hours', () => {
    withLimiter((limiter, clock, db) => {
      let largest = 0;
      for (let i = 0; i < 1_000; i++) {
        // Every 15 s: four within any window, so the pace never locks.
        clock.now += 15_000;
        limiter.recordFailure();
        largest = Math.max(largest, rowCount(db));
      }
      assert.ok(clock.now - T0 >= 4 * 3_600_000);
      assert.ok(largest <= 6, `table grew to ${largest} rows`);
      limiter.check();
    });
  });

  it('keeps the table small when failures keep coming during lockouts', () => {
    withLimiter((limiter, clock, db) => {
      let largest = 0;
      let locked = 0;
      for (let i = 0; i < 1_000; i++) {
        clock.now += 5_000;
        limiter.recordFailure();
        try {
          limiter.check();
        } catch {
          locked++;
        }
        largest = Math.max(largest, rowCount(db));
      }
      assert.ok(locked > 0);
      assert.ok(largest <= 30, `table grew to ${largest} rows`);
    });
  });
});
