// The soak's load generator: the mixed calls sent at a fixed rate (an
// open loop, so a slow server meets the same arrivals, not fewer), with
// counts, problems and latencies kept by kind.
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

import { SOAK_KINDS, soakCycle } from './soak-calls.js';
import type { SoakCalls, SoakKind } from './soak-calls.js';

/** LoadPlan is how fast and how long to send. */
export interface LoadPlan {
  /** Calls started per second. */
  readonly rate: number;
  readonly seconds: number;
  /**
   * At most this many calls wait for a reply at once. A call due while
   * that many are waiting is skipped and counted, so a stalled server
   * shows as a shortfall in the rate rather than as unbounded memory in
   * the generator.
   */
  readonly maxInFlight: number;
}

/** KindStats are one kind's calls: how many, how many wrong, how long. */
export interface KindStats {
  count: number;
  errors: number;
  /** Each call's latency in milliseconds, in the order they ended. */
  readonly latencies: number[];
}

/** LoadResult is what a run of the load found. */
export interface LoadResult {
  readonly byKind: Readonly<Record<SoakKind, KindStats>>;
  /** Calls made, of every kind. */
  readonly sent: number;
  /** Calls that were due but skipped at the in-flight cap. */
  readonly skipped: number;
  /** Every wrong answer's description, up to the first 20. */
  readonly problems: readonly string[];
  /** Wrong answers, all of them. */
  readonly errors: number;
  /** Seconds from the first call to the last reply. */
  readonly elapsed: number;
}

const MAX_PROBLEMS = 20;

/** runLoad sends calls by plan and resolves once every reply is in. */
export async function runLoad(
  calls: SoakCalls,
  plan: LoadPlan,
): Promise<LoadResult> {
  const cycle = soakCycle();
  const byKind = Object.fromEntries(
    SOAK_KINDS.map((kind) => [kind, { count: 0, errors: 0, latencies: [] }]),
  ) as unknown as Record<SoakKind, KindStats>;
  const problems: string[] = [];
  const pending = new Set<Promise<void>>();
  let errors = 0;
  let sent = 0;
  let skipped = 0;

  const one = async (kind: SoakKind): Promise<void> => {
    const started = performance.now();
    const problem = await calls.call(kind);
    const stats = byKind[kind];
    stats.count += 1;
    stats.latencies.push(performance.now() - started);
    if (problem === undefined) return;
    stats.errors += 1;
    errors += 1;
    if (problems.length < MAX_PROBLEMS) problems.push(problem);
  };

  // Call n is due at start + n / rate. Each wake-up starts every call
  // that has come due since the last, so timer lateness delays calls a
  // little but never drops them.
  const start = performance.now();
  const total = Math.round(plan.rate * plan.seconds);
  let due = 0;
  while (due < total) {
    const now = performance.now();
    const reached = Math.min(
      total,
      Math.floor(((now - start) / 1000) * plan.rate) + 1,
    );
    for (; due < reached; due++) {
      if (pending.size >= plan.maxInFlight) {
        skipped += 1;
        continue;
      }
      const kind = cycle[due % cycle.length] ?? 'status';
      const call = one(kind).finally(() => pending.delete(call));
      pending.add(call);
      sent += 1;
    }
    const next = start + (due / plan.rate) * 1000;
    await sleep(Math.max(1, next - performance.now()));
  }
  while (pending.size > 0) await Promise.all(pending);

  return {
    byKind,
    sent,
    skipped,
    problems,
    errors,
    elapsed: (performance.now() - start) / 1000,
  };
}

/**
 * percentile is the nearest-rank percentile p (0 to 100) of values, 0
 * when there are none.
 */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] ?? 0;
}
