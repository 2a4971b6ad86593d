// Part 2, soak, the long run: minutes of the mixed load at a fixed rate
// against `metacrypt server` in a child process, with latency by kind and
// the server's resident memory from after warm-up to the end.
import { markdownTable, round } from '../../bench/common.js';
import type { LongPart, PartReport } from './long-part.js';
import { LoadClient } from './load-client.js';
import { SOAK_KINDS, SOAK_WEIGHTS, SoakCalls } from './soak-calls.js';
import { percentile, runLoad } from './soak-load.js';
import type { LoadResult } from './soak-load.js';
import { RssSampler } from './soak-rss.js';
import type { RssSample } from './soak-rss.js';
import { SOAK_AUTH_RATE_LIMIT, startSoakServer } from './soak-server.js';

// The targets of the issue: no wrong answer, and memory flat to 10%.
const RSS_TARGET_PERCENT = 10;
const RSS_INTERVAL_MS = 5_000;
const MAX_IN_FLIGHT = 64;

/** SOAK_PART is the long soak; SOAK_SECONDS, SOAK_RATE adjust it. */
export const SOAK_PART: LongPart = {
  id: 'soak',
  title: '2. Soak',
  run: runSoak,
};

interface Settings {
  readonly seconds: number;
  readonly warmup: number;
  readonly rate: number;
}

async function runSoak(): Promise<PartReport> {
  const settings: Settings = {
    seconds: envNumber('SOAK_SECONDS', 180),
    warmup: envNumber('SOAK_WARMUP_SECONDS', 30),
    rate: envNumber('SOAK_RATE', 200),
  };
  const server = await startSoakServer();
  const client = new LoadClient(server.url, 32);
  try {
    // Step 1: the first ciphertexts, then the warm-up: the JIT, the
    // caches and the heap settle before anything is measured.
    const calls = new SoakCalls(client, server);
    await calls.prepare();
    const plan = { rate: settings.rate, maxInFlight: MAX_IN_FLIGHT };
    const warm = await runLoad(calls, { ...plan, seconds: settings.warmup });

    // Step 2: the measured run, the server's RSS read as it goes.
    const sampler = new RssSampler(server.pid, RSS_INTERVAL_MS);
    const measured = await runLoad(calls, {
      ...plan,
      seconds: settings.seconds,
    });
    const samples = sampler.stop();

    // Step 3: the report.
    return report(settings, warm, measured, samples, server.leaks());
  } finally {
    client.close();
    await server.stop();
  }
}

function report(
  settings: Settings,
  warm: LoadResult,
  measured: LoadResult,
  samples: readonly RssSample[],
  leaks: readonly string[],
): PartReport {
  // Step 1: latency and counts by kind, and all kinds together.
  const ms = (n: number): string => round(n, 1).toFixed(1);
  const all = SOAK_KINDS.flatMap((kind) => measured.byKind[kind].latencies);
  const rows = SOAK_KINDS.map((kind) => {
    const s = measured.byKind[kind];
    return [
      kind,
      String(s.count),
      String(s.errors),
      ms(percentile(s.latencies, 50)),
      ms(percentile(s.latencies, 99)),
      ms(percentile(s.latencies, 100)),
    ];
  });
  rows.push([
    '**all**',
    String(measured.sent),
    String(measured.errors),
    ms(percentile(all, 50)),
    ms(percentile(all, 99)),
    ms(percentile(all, 100)),
  ]);

  // Step 2: memory, from the reading at the end of the warm-up to the
  // last, beside the lowest and highest between them.
  const mib = (kib: number): string => (kib / 1024).toFixed(1);
  const first = samples[0]?.kib ?? 0;
  const last = samples[samples.length - 1]?.kib ?? 0;
  const change = first === 0 ? 0 : ((last - first) / first) * 100;
  const kibs = samples.map((s) => s.kib);
  const rate = measured.sent / measured.elapsed;
  const errors = warm.errors + measured.errors;
  const rssHeld = Math.abs(change) <= RSS_TARGET_PERCENT;
  const ok = errors === 0 && rssHeld && leaks.length === 0;

  // Step 3: the text.
  const mix = SOAK_KINDS.map((k) => `${k} ${String(SOAK_WEIGHTS[k])}`);
  const markdown = [
    `${String(settings.warmup)} s warm-up, then ${String(settings.seconds)} ` +
      `s measured, at ${String(settings.rate)} calls/s (open loop, at most ` +
      `${String(MAX_IN_FLIGHT)} waiting, 32 kept-alive connections), ` +
      `mixed per 20 calls: ${mix.join(', ')}. Encrypt and decrypt as alice ` +
      'through a policy rule; decrypts of recent ciphertexts checked ' +
      'against their plaintext; login as alice (server.auth_rate_limit ' +
      `set to ${String(SOAK_AUTH_RATE_LIMIT)}/min, the maximum); ` +
      'policy reads as admin, checked equal to the rules.',
    '',
    markdownTable(
      ['kind', 'calls', 'wrong', 'p50 ms', 'p99 ms', 'max ms'],
      rows,
    ),
    '',
    `Rate achieved: ${rate.toFixed(1)} calls/s ` +
      `(${String(measured.skipped)} skipped at the in-flight cap). ` +
      `Warm-up: ${String(warm.sent)} calls, ${String(warm.errors)} wrong.`,
    '',
    `Server RSS (VmRSS): ${mib(first)} MiB after warm-up, ${mib(last)} ` +
      `MiB at the end, ${change >= 0 ? '+' : ''}${change.toFixed(1)}% ` +
      `(lowest ${mib(Math.min(...kibs))}, highest ` +
      `${mib(Math.max(...kibs))}, ${String(samples.length)} readings ` +
      `${String(RSS_INTERVAL_MS / 1000)} s apart).`,
    '',
    `Targets: 0 wrong answers: ${errors === 0 ? 'held' : 'missed'}` +
      `; RSS within ${String(RSS_TARGET_PERCENT)}% of after warm-up: ` +
      `${rssHeld ? 'held' : 'missed'}; no secret in the server's log: ` +
      `${leaks.length === 0 ? 'held' : `missed (${leaks.join(', ')})`}.`,
    ...(measured.problems.length + warm.problems.length === 0
      ? []
      : [
          '',
          `First problems: ${[...warm.problems, ...measured.problems]
            .slice(0, 20)
            .join('; ')}.`,
        ]),
  ].join('\n');

  return {
    ok,
    markdown,
    figures: {
      seconds: settings.seconds,
      rate: round(rate, 1),
      calls: measured.sent,
      errors,
      skipped: measured.skipped,
      p50Ms: round(percentile(all, 50), 1),
      p99Ms: round(percentile(all, 99), 1),
      maxMs: round(percentile(all, 100), 1),
      rssAfterWarmupKiB: first,
      rssEndKiB: last,
      rssChangePercent: round(change, 1),
    },
  };
}

// A positive number from the environment, or fallback; anything else is
// an error, so a typo cannot produce figures for the wrong setting.
function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    throw new Error(`${name}: expected a positive number, got ${raw}`);
  }
  return value;
}
