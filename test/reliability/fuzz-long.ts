// Bad input, the long run: the fuzz of fuzz.test.ts with every group side
// by side for FUZZ_SECONDS (90 by default), tens of thousands of
// requests, and what they came to for docs/RELIABILITY.md.
import { isDeepStrictEqual } from 'node:util';

import type { LongPart, PartReport } from './long-part.js';
import { FUZZ_GROUPS, fuzzEndpoints, runFuzz } from './fuzz-run.js';
import { startFuzzTarget, storedState } from './fuzz-target.js';

const DEFAULT_SECONDS = 90;

function secondsBudget(): number {
  const given = Number(process.env.FUZZ_SECONDS ?? DEFAULT_SECONDS);
  return Number.isFinite(given) && given > 0 ? given : DEFAULT_SECONDS;
}

async function run(): Promise<PartReport> {
  const seconds = secondsBudget();
  const target = await startFuzzTarget();
  try {
    // Step 1: what is stored before, then the fuzz, then again.
    const before = await storedState(target);
    const started = Date.now();
    const { tally, failures } = await runFuzz(target, FUZZ_GROUPS, {
      // Ten cases an endpoint a pass, so every endpoint is met early.
      runs: 10,
      seconds,
      concurrent: true,
      timeoutMs: 20_000,
      aliveEvery: 200,
    });
    const elapsed = (Date.now() - started) / 1000;
    const unchanged = isDeepStrictEqual(await storedState(target), before);

    // Step 2: the verdict and the report.
    const requests = tally.total('requests');
    const fiveXx = tally.total('fiveXx');
    const hangs = tally.total('hangs');
    const wrong = tally.total('wrong');
    const ok =
      failures.length === 0 &&
      fiveXx === 0 &&
      hangs === 0 &&
      wrong === 0 &&
      tally.aliveFailures === 0 &&
      unchanged;
    const endpoints = fuzzEndpoints(target.known, target.limits).length;
    const lines = [
      `${String(requests)} requests in ${elapsed.toFixed(0)} s ` +
        `(${(requests / elapsed).toFixed(0)} a second) to ${String(endpoints)} ` +
        'endpoints and kinds of raw request, the eight groups side by side; ' +
        `GET /v1/status asked ${String(tally.aliveChecks)} times between ` +
        `batches, ${String(tally.aliveFailures)} without an answer.`,
      '',
      tally.markdown(),
      '',
      `Codes answered: ${[...tally.codes]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([code, n]) => `\`${code}\` ${String(n)}`)
        .join(', ')}.`,
      '',
      `- 5xx: ${String(fiveXx)} (target 0). Hangs: ${String(hangs)} (target 0, ` +
        'a hang being no answer within 20 s).',
      `- Answers with another code than the case allows: ${String(wrong)} (target 0).`,
      `- Stored state unchanged after the fuzz: ${unchanged ? 'yes' : '**no**'}.`,
      '- No token or password in any log line: checked when the harness closes.',
    ];
    for (const failure of failures) {
      lines.push('', '```text', failure.slice(0, 2000), '```');
    }
    return {
      ok,
      markdown: lines.join('\n'),
      figures: {
        requests,
        seconds: Math.round(elapsed),
        endpoints,
        five_xx: fiveXx,
        hangs,
        wrong,
        alive_checks: tally.aliveChecks,
        unchanged,
      },
    };
  } finally {
    await target.h.close();
  }
}

/** FUZZ_PART is part 3 of docs/RELIABILITY.md, bad input. */
export const FUZZ_PART: LongPart = { id: 'fuzz', title: '3. Bad input', run };
