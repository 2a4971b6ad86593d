// Runs the bad-input fuzz: each endpoint's cases as a fast-check property
// of a few runs at a time, group after group or side by side, with the
// server's /v1/status asked between batches.
import fc from 'fast-check';
import type { Arbitrary } from 'fast-check';

import type { BodyLimits } from './fuzz-bodies.js';
import type { FuzzCase } from './fuzz-case.js';
import { FuzzClient } from './fuzz-client.js';
import { endpointCases } from './fuzz-endpoint.js';
import type { Endpoint } from './fuzz-endpoint.js';
import { engineEndpoints } from './fuzz-engine-endpoints.js';
import { judge } from './fuzz-judge.js';
import { policyEndpoints } from './fuzz-policy-endpoints.js';
import { rawCases } from './fuzz-raw.js';
import { unknownPaths, wrongMethods } from './fuzz-routing.js';
import { authEndpoints, sysEndpoints } from './fuzz-sys-endpoints.js';
import { FuzzTally } from './fuzz-tally.js';
import type { FuzzTarget } from './fuzz-target.js';
import type { KnownValues } from './fuzz-transit-fields.js';
import { transitEndpoints } from './fuzz-transit-routes.js';

/** FuzzEndpoint is one endpoint (or one kind of raw request) and its cases. */
export interface FuzzEndpoint {
  readonly group: string;
  readonly name: string;
  readonly cases: Arbitrary<FuzzCase>;
}

/** FUZZ_GROUPS are the groups of endpoints, in report order. */
export const FUZZ_GROUPS = [
  'sys',
  'auth',
  'policy',
  'engine',
  'engine-request',
  'transit',
  'routing',
  'http',
] as const;

/** fuzzEndpoints are every endpoint the fuzz attacks, by group. */
export function fuzzEndpoints(
  known: KnownValues,
  limits: BodyLimits,
): FuzzEndpoint[] {
  const all: Endpoint[] = [
    ...sysEndpoints(limits),
    ...authEndpoints(limits),
    ...policyEndpoints(limits),
    ...engineEndpoints(limits),
    ...transitEndpoints(known, limits),
  ];
  const api = all.map((endpoint): FuzzEndpoint => ({
    group: endpoint.group,
    name: `${endpoint.method} ${endpoint.template}`,
    cases: endpointCases(endpoint, limits),
  }));
  return [
    ...api,
    {
      group: 'routing',
      name: 'a method a path does not take',
      cases: wrongMethods,
    },
    { group: 'routing', name: 'a path nothing serves', cases: unknownPaths },
    ...rawCases().map(({ name, cases }) => ({ group: 'http', name, cases })),
  ];
}

/** FuzzBudget bounds a run. */
export interface FuzzBudget {
  /** Runs of each endpoint's property in one pass. */
  readonly runs: number;
  /** Passes go on until this many seconds have gone; one pass if unset. */
  readonly seconds?: number;
  /** Whether the groups run side by side rather than one after another. */
  readonly concurrent: boolean;
  /** The client's deadline for one answer. */
  readonly timeoutMs: number;
  /** /v1/status is asked after this many requests of a group. */
  readonly aliveEvery: number;
  readonly seed?: number;
}

/** FuzzResult is the tally and each property that failed, in words. */
export interface FuzzResult {
  readonly tally: FuzzTally;
  readonly failures: string[];
}

// A bug shows in every pass of a long run; a few reports are enough.
const MAX_FAILURES = 10;

/** runFuzz attacks target's endpoints of the given groups within budget. */
export async function runFuzz(
  target: FuzzTarget,
  groups: readonly string[],
  budget: FuzzBudget,
): Promise<FuzzResult> {
  const client = new FuzzClient(target.h.url, target.tokens, budget.timeoutMs);
  const tally = new FuzzTally();
  const failures: string[] = [];
  const fail = (message: string): void => {
    if (failures.length < MAX_FAILURES) failures.push(message);
  };
  const endpoints = fuzzEndpoints(target.known, target.limits);
  const deadline =
    budget.seconds === undefined
      ? undefined
      : Date.now() + budget.seconds * 1000;

  // The server must still answer between batches, whatever it was sent.
  const alive = async (): Promise<void> => {
    tally.aliveChecks += 1;
    const outcome = await client.status();
    const body = outcome.kind === 'reply' ? outcome.text : outcome.kind;
    if (!(
      outcome.kind === 'reply' &&
      outcome.status === 200 &&
      body.includes('"unsealed"')
    )) {
      tally.aliveFailures += 1;
      fail(`GET /v1/status answered ${body.slice(0, 200)}`);
    }
  };

  const runEndpoint = async (endpoint: FuzzEndpoint): Promise<void> => {
    const property = fc.asyncProperty(endpoint.cases, async (fuzzCase) => {
      const outcome = await client.send(fuzzCase);
      const problem = judge(fuzzCase, outcome);
      tally.record(fuzzCase, outcome, problem);
      if (tally.requestsOf(fuzzCase.group) % budget.aliveEvery === 0)
        await alive();
      if (problem !== undefined) throw new Error(problem);
    });
    const details = await fc.check(property, {
      numRuns: budget.runs,
      ...(budget.seed === undefined ? {} : { seed: budget.seed }),
    });
    if (details.failed) {
      const error = details.errorInstance;
      const why = error instanceof Error ? error.message : String(error);
      fail(
        `${endpoint.group}, ${endpoint.name}: ${why}\n${fc.defaultReportMessage(details)}`,
      );
    }
  };

  const runGroup = async (group: string): Promise<void> => {
    const mine = endpoints.filter((endpoint) => endpoint.group === group);
    do {
      for (const endpoint of mine) {
        await runEndpoint(endpoint);
        if (deadline !== undefined && Date.now() > deadline) break;
      }
    } while (deadline !== undefined && Date.now() < deadline);
    await alive();
  };

  try {
    if (budget.concurrent) await Promise.all(groups.map(runGroup));
    else for (const group of groups) await runGroup(group);
  } finally {
    client.close();
  }
  return { tally, failures };
}
