// Counts of a fuzz run: requests per group and per endpoint, the
// statuses seen, 5xx answers, hangs and wrong answers, and the first few
// problems in words, for the test's diagnostics and docs/RELIABILITY.md.
import type { Outcome } from './fuzz-client.js';
import type { FuzzCase } from './fuzz-case.js';
import { codeOf, outcomeKey } from './fuzz-judge.js';

/** GroupTally is what one group of endpoints met. */
export interface GroupTally {
  requests: number;
  readonly endpoints: Map<string, number>;
  readonly outcomes: Map<string, number>;
  fiveXx: number;
  hangs: number;
  wrong: number;
}

// Enough to see what went wrong without flooding a report.
const MAX_PROBLEMS = 20;

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

/** FuzzTally accumulates the outcomes of every case of a run. */
export class FuzzTally {
  readonly groups = new Map<string, GroupTally>();
  readonly problems: string[] = [];
  /** The error codes answered, over every group. */
  readonly codes = new Map<string, number>();
  aliveChecks = 0;
  aliveFailures = 0;

  /** record counts one case's outcome and the problem found in it. */
  record(
    fuzzCase: FuzzCase,
    outcome: Outcome,
    problem: string | undefined,
  ): void {
    let group = this.groups.get(fuzzCase.group);
    if (group === undefined) {
      group = {
        requests: 0,
        endpoints: new Map(),
        outcomes: new Map(),
        fiveXx: 0,
        hangs: 0,
        wrong: 0,
      };
      this.groups.set(fuzzCase.group, group);
    }
    group.requests += 1;
    // Raw requests count by what was broken in them.
    bump(
      group.endpoints,
      fuzzCase.kind === 'raw' ? fuzzCase.defect : fuzzCase.endpoint,
    );
    bump(group.outcomes, outcomeKey(outcome));
    bump(this.codes, codeOf(outcome) ?? 'no JSON body');
    if (outcome.kind === 'reply' && outcome.status >= 500) group.fiveXx += 1;
    if (outcome.kind === 'timeout') group.hangs += 1;
    if (problem !== undefined) {
      group.wrong += 1;
      if (this.problems.length < MAX_PROBLEMS) {
        this.problems.push(
          `${fuzzCase.endpoint} (${fuzzCase.defect}): ${problem}`,
        );
      }
    }
  }

  /** requestsOf is how many cases a group has sent so far. */
  requestsOf(group: string): number {
    return this.groups.get(group)?.requests ?? 0;
  }

  /** total adds a field up over every group. */
  total(field: 'requests' | 'fiveXx' | 'hangs' | 'wrong'): number {
    let sum = 0;
    for (const group of this.groups.values()) sum += group[field];
    return sum;
  }

  /** statuses are every outcome seen over all groups, counted. */
  statuses(): Map<string, number> {
    const all = new Map<string, number>();
    for (const group of this.groups.values()) {
      for (const [key, count] of group.outcomes)
        all.set(key, (all.get(key) ?? 0) + count);
    }
    return new Map([...all].sort(([a], [b]) => a.localeCompare(b)));
  }

  /** markdown is a table with a row per group and a total. */
  markdown(): string {
    const rows = [
      '| group | endpoints | requests | outcomes seen | 5xx | hangs | wrong |',
      '| --- | --- | --- | --- | --- | --- | --- |',
    ];
    const cell = (outcomes: Map<string, number>): string =>
      [...outcomes]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([key, count]) => `${key}: ${String(count)}`)
        .join(', ');
    for (const [name, group] of this.groups) {
      rows.push(
        `| ${name} | ${String(group.endpoints.size)} | ${String(group.requests)} | ` +
          `${cell(group.outcomes)} | ${String(group.fiveXx)} | ` +
          `${String(group.hangs)} | ${String(group.wrong)} |`,
      );
    }
    let endpoints = 0;
    for (const group of this.groups.values()) endpoints += group.endpoints.size;
    rows.push(
      `| all | ${String(endpoints)} | ${String(this.total('requests'))} | ` +
        `${cell(this.statuses())} | ${String(this.total('fiveXx'))} | ` +
        `${String(this.total('hangs'))} | ${String(this.total('wrong'))} |`,
    );
    return rows.join('\n');
  }
}
