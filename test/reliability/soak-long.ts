// Part 2, soak, the long run: minutes of the mixed load at a fixed rate
// against `metacrypt server` in a child process, with latency by kind and
// the server's resident memory from after warm-up to the end.
import { markdownTable, round } from '../../bench/common.js';
import type { LongPart, PartReport } from './long-part.js';
import { LoadClient } from './load-client.js';
import { SOAK_KINDS, SOAK_WEIGHTS, SoakCalls } from './soak-calls.js';
import { percentile, runLoad } from './soak-load.js';
import type { LoadResult } from './soak-load.js';
import { heapOf, levelOf, MemorySampler } from './soak-memory.js';
import type { MemorySample } from './soak-memory.js';
import { SOAK_AUTH_RATE_LIMIT, startSoakServer } from './soak-server.js';
import type { SoakServer } from './soak-server.js';

// The targets of the issue: no wrong answer, and memory flat to 10%.
const RSS_TARGET_PERCENT = 10;
const MEMORY_INTERVAL_MS = 5_000;
// Long enough for six readings, so one taken at a collector's peak cannot
// move the median.
const WINDOW_SECONDS = 30;
const CONNECTIONS = 32;
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
  const client = new LoadClient(server.url, CONNECTIONS);
  // The metrics are read on a connection of their own, outside the mix.
  const watcher = new LoadClient(server.url, 1);
  try {
    // Step 1: the first ciphertexts, then the warm-up: the JIT, the
    // caches and the heap settle before anything is measured.
    const calls = new SoakCalls(client, server);
    await calls.prepare();
    const plan = { rate: settings.rate, maxInFlight: MAX_IN_FLIGHT };
    const warm = await runLoad(calls, { ...plan, seconds: settings.warmup });

    // Step 2: the measured run, the server's memory read as it goes.
    const sampler = new MemorySampler(server.pid, MEMORY_INTERVAL_MS, () =>
      readHeap(watcher, server),
    );
    const measured = await runLoad(calls, {
      ...plan,
      seconds: settings.seconds,
    });
    const samples = await sampler.stop();

    // Step 3: the report.
    return report(settings, warm, measured, samples, server.leaks());
  } finally {
    watcher.close();
    client.close();
    await server.stop();
  }
}

async function readHeap(
  watcher: LoadClient,
  server: SoakServer,
): Promise<ReturnType<typeof heapOf>> {
  const reply = await watcher.call('GET', '/v1/metrics', {
    token: server.admin,
  });
  if (reply.status !== 200) throw new Error('soak: metrics refused');
  return heapOf(reply.text);
}

function report(
  settings: Settings,
  warm: LoadResult,
  measured: LoadResult,
  samples: readonly MemorySample[],
  leaks: readonly string[],
): PartReport {
  // Step 1: the figures and the targets.
  const all = SOAK_KINDS.flatMap((kind) => measured.byKind[kind].latencies);
  const memory = memoryOf(samples);
  const rate = measured.sent / measured.elapsed;
  const errors = warm.errors + measured.errors;
  const held = {
    errors: errors === 0,
    rss: Math.abs(memory.rssChange) <= RSS_TARGET_PERCENT,
    leaks: leaks.length === 0,
  };
  const verdict = (ok: boolean): string => (ok ? 'held' : 'missed');
  const problems = [...warm.problems, ...measured.problems].slice(0, 20);

  // Step 2: the text.
  const mix = SOAK_KINDS.map((k) => `${k} ${String(SOAK_WEIGHTS[k])}`);
  const markdown = [
    `${String(settings.warmup)} s warm-up, then ${String(settings.seconds)} ` +
      `s measured, at ${String(settings.rate)} calls/s (open loop, at most ` +
      `${String(MAX_IN_FLIGHT)} waiting, ${String(CONNECTIONS)} ` +
      `kept-alive connections), mixed per 20 calls: ${mix.join(', ')}. ` +
      'Encrypt and decrypt as alice through a policy rule; decrypts of ' +
      'recent ciphertexts checked against their plaintext; login as ' +
      `alice (server.auth_rate_limit set to ` +
      `${String(SOAK_AUTH_RATE_LIMIT)}/min, the maximum); policy reads ` +
      'as admin, checked equal to the rules.',
    '',
    latencyTable(measured),
    '',
    `Rate achieved: ${rate.toFixed(1)} calls/s ` +
      `(${String(measured.skipped)} skipped at the in-flight cap). ` +
      `Warm-up: ${String(warm.sent)} calls, ${String(warm.errors)} wrong.`,
    '',
    memory.markdown,
    '',
    `Targets: 0 wrong answers: ${verdict(held.errors)}; RSS within ` +
      `${String(RSS_TARGET_PERCENT)}% of after warm-up: ` +
      `${verdict(held.rss)}; no secret in the server's log: ` +
      `${held.leaks ? 'held' : `missed (${leaks.join(', ')})`}.`,
    ...(problems.length === 0
      ? []
      : ['', `First problems: ${problems.join('; ')}.`]),
  ].join('\n');

  return {
    ok: held.errors && held.rss && held.leaks,
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
      rssAfterWarmupKiB: Math.round(memory.rssStart),
      rssEndKiB: Math.round(memory.rssEnd),
      rssChangePercent: round(memory.rssChange, 1),
    },
  };
}

// Counts, wrong answers and latency by kind, and all kinds together.
function latencyTable(measured: LoadResult): string {
  const ms = (n: number): string => n.toFixed(1);
  const row = (name: string, latencies: readonly number[], errors: number) => [
    name,
    String(latencies.length),
    String(errors),
    ms(percentile(latencies, 50)),
    ms(percentile(latencies, 99)),
    ms(percentile(latencies, 100)),
  ];
  const rows = SOAK_KINDS.map((kind) =>
    row(kind, measured.byKind[kind].latencies, measured.byKind[kind].errors),
  );
  const all = SOAK_KINDS.flatMap((kind) => measured.byKind[kind].latencies);
  rows.push(row('**all**', all, measured.errors));
  return markdownTable(
    ['kind', 'calls', 'wrong', 'p50 ms', 'p99 ms', 'max ms'],
    rows,
  );
}

interface Memory {
  readonly rssStart: number;
  readonly rssEnd: number;
  readonly rssChange: number;
  readonly markdown: string;
}

// The level just after the warm-up against the level at the end: the
// median reading of the first and of the last window, for the RSS (the
// target) and the main thread's heap (to tell live objects from pages
// the process merely holds on to).
function memoryOf(samples: readonly MemorySample[]): Memory {
  const end = samples[samples.length - 1]?.second ?? 0;
  const level = (pick: (s: MemorySample) => number): [number, number] => [
    levelOf(samples, pick, 0, WINDOW_SECONDS),
    levelOf(samples, pick, end - WINDOW_SECONDS, end),
  ];
  const mib = (kib: number): string => (kib / 1024).toFixed(1);
  const change = ([a, b]: [number, number]): number => ((b - a) / a) * 100;
  const signed = (n: number): string => `${n >= 0 ? '+' : ''}${n.toFixed(1)}%`;
  const line = (name: string, pair: [number, number]): string =>
    `| ${name} | ${mib(pair[0])} | ${mib(pair[1])} | ${signed(change(pair))} |`;

  const rss = level((s) => s.rssKiB);
  const used = level((s) => s.usedKiB);
  const total = level((s) => s.totalKiB);
  const rssKiBs = samples.map((s) => s.rssKiB);
  const markdown = [
    `Server memory, the median of the readings in the first and in the ` +
      `last ${String(WINDOW_SECONDS)} s of the measured run ` +
      `(${String(samples.length)} readings ` +
      `${String(MEMORY_INTERVAL_MS / 1000)} s apart):`,
    '',
    '| | after warm-up MiB | at the end MiB | change |',
    '| --- | --- | --- | --- |',
    line('RSS (VmRSS, every thread)', rss),
    line('main thread heap used', used),
    line('main thread heap total', total),
    '',
    `RSS readings, MiB: ${rssKiBs.map((kib) => mib(kib)).join(' ')}.`,
  ].join('\n');
  return {
    rssStart: rss[0],
    rssEnd: rss[1],
    rssChange: change(rss),
    markdown,
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
