// The unseal rate limit: too many wrong passwords in a window lock
// unsealing for a while. It lives in the database so a restart, or a fresh
// key worker, does not reset it.
import type { Database } from '../db/index.js';
import { MetacryptError } from '../errors/index.js';

/** LimiterPolicy says how many failures, over what window, lock for how long. */
export interface LimiterPolicy {
  readonly maxFailures: number;
  readonly windowMs: number;
  readonly lockoutMs: number;
}

/**
 * UNSEAL_LIMIT is the production policy: five failures within a minute
 * lock unsealing for a minute.
 */
export const UNSEAL_LIMIT: LimiterPolicy = Object.freeze({
  maxFailures: 5,
  windowMs: 60_000,
  lockoutMs: 60_000,
});

/**
 * UnsealLimiter counts failed password checks (unseal, rekey, MEK
 * rotation) in the unseal_attempts table. Each method is one statement or
 * one transaction, so two processes sharing the database count together.
 */
export class UnsealLimiter {
  readonly #db: Database;
  readonly #policy: LimiterPolicy;
  readonly #now: () => number;

  constructor(
    db: Database,
    policy: LimiterPolicy = UNSEAL_LIMIT,
    now: () => number = Date.now,
  ) {
    this.#db = db;
    this.#policy = policy;
    this.#now = now;
  }

  /**
   * check throws `too_many_attempts`, with the seconds left, while a
   * lockout lasts; a correct password does not get past it.
   */
  check(): void {
    const now = this.#now();
    // Rows stamped in the future (the clock was set back) are ignored, so
    // a clock change cannot lock unsealing for longer than the policy.
    const row = this.#db
      .prepare<[number, number], { until: number | null }>(
        `SELECT MAX(lockout_until) AS until FROM unseal_attempts
         WHERE failed_at <= ? AND lockout_until > ?`,
      )
      .get(now, now);
    const until = row?.until ?? null;
    if (until === null) return;
    const seconds = Math.max(1, Math.ceil((until - now) / 1000));
    throw new MetacryptError(
      'too_many_attempts',
      `too many attempts: try again in ${String(seconds)} seconds`,
      { retryAfterSeconds: seconds },
    );
  }

  /**
   * recordFailure notes one wrong password and starts a lockout when this
   * failure is the policy's limit within the window. Failures before the
   * last lockout began do not count again once it is over.
   */
  recordFailure(): void {
    const now = this.#now();
    const { maxFailures, windowMs, lockoutMs } = this.#policy;
    this.#db
      .transaction(() => {
        this.#db
          .prepare('INSERT INTO unseal_attempts (failed_at) VALUES (?)')
          .run(now);
        const since = Math.max(now - windowMs, this.#lastLockoutStart(now));
        const count = this.#db
          .prepare<[number, number], { n: number }>(
            `SELECT COUNT(*) AS n FROM unseal_attempts
           WHERE failed_at > ? AND failed_at <= ?`,
          )
          .get(since, now)?.n;
        if (count !== undefined && count >= maxFailures) {
          this.#db
            .prepare(
              `UPDATE unseal_attempts SET lockout_until = ?
             WHERE id = last_insert_rowid()`,
            )
            .run(now + lockoutMs);
        }
        this.#prune(now);
      })
      .immediate();
  }

  /** reset forgets every failure, after a correct password. */
  reset(): void {
    this.#db.prepare('DELETE FROM unseal_attempts').run();
  }

  #lastLockoutStart(now: number): number {
    const row = this.#db
      .prepare<[number], { start: number | null }>(
        `SELECT MAX(failed_at) AS start FROM unseal_attempts
         WHERE lockout_until IS NOT NULL AND failed_at <= ?`,
      )
      .get(now);
    // The count starts strictly after this failure, so the failures that
    // caused a lockout never count towards the next one.
    return row?.start ?? -1;
  }

  // Rows that can no longer count or lock are dropped, so a long-running
  // guess attempt cannot grow the table without bound.
  #prune(now: number): void {
    const horizon =
      now - Math.max(this.#policy.windowMs, this.#policy.lockoutMs);
    this.#db
      .prepare(
        `DELETE FROM unseal_attempts
         WHERE failed_at < ? AND (lockout_until IS NULL OR lockout_until < ?)`,
      )
      .run(horizon, now);
  }
}
