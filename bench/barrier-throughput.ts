// Benchmark: barrier get/put throughput through the key worker versus the
// same barrier driven in-process on the main thread.
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { EventLoopUtilization } from 'node:perf_hooks';

import { randomBytes } from '../src/crypto/index.js';
import { openMigratedDatabase } from '../src/db/index.js';
import { Argon2Pool } from '../src/keyworker/argon2-pool.js';
import { KeyWorkerClient } from '../src/keyworker/index.js';
import { SealStateMachine } from '../src/keyworker/seal-state-machine.js';
import type { KdfSettings } from '../src/keyworker/seal-state-machine.js';
import {
  BENCH_PASSWORD,
  machineLine,
  markdownTable,
  MIN_PASSWORD_LENGTH,
  numberSetting,
  round,
  withTempDir,
} from './common.js';

// Cheap Argon2 so that setup takes milliseconds: the measured operations
// use only the DEK already in memory and never derive a key.
const SETUP_KDF: KdfSettings = { time: 1, memoryKiB: 1024, threads: 1 };
const VALUE_BYTES = 1024;
const ENTRIES = 1000;
// How many calls the main thread keeps in flight to the worker: enough to
// keep the worker busy while replies cross back, as a busy server would.
const CONCURRENCY = 64;
// Distinct put values; reused round-robin so that generating random bytes
// is not part of what is measured.
const VALUE_POOL = 64;
const WARMUP_MS = 500;
const DEFAULT_SECONDS = 3;
// The target for worker get throughput, as a share of in-process.
const GET_RATIO_TARGET = 0.5;

/** Measurement is one timed run of one operation. */
interface Measurement {
  readonly ops: number;
  readonly seconds: number;
  readonly opsPerSec: number;
  /** CPU time of the whole process (all threads) per wall second. */
  readonly cpuPercent: number;
  /** Share of the time the main thread's event loop was busy. */
  readonly mainBusyPercent: number;
}

interface Started {
  readonly ms: number;
  readonly cpu: NodeJS.CpuUsage;
  readonly elu: EventLoopUtilization;
}

function begin(): Started {
  return {
    ms: performance.now(),
    cpu: process.cpuUsage(),
    elu: performance.eventLoopUtilization(),
  };
}

type AsyncOp = (n: number) => Promise<void>;
type SyncOp = (n: number) => void;

const entryPath = (n: number): string => `sys/bench/${n % ENTRIES}`;

function valueFor(values: readonly Buffer[], n: number): Buffer {
  const value = values[n % values.length];
  if (value === undefined) throw new Error('bench: no values to put');
  return value;
}

function checkValue(value: Uint8Array | null, path: string): void {
  if (value?.length !== VALUE_BYTES) {
    throw new Error(`bench: ${path} did not read back ${VALUE_BYTES} bytes`);
  }
}

// CPU use is measured for the whole process because the worker's time is
// the point: a call through the worker costs main-thread time to post and
// receive as well as worker time to serve. The main thread's event-loop
// utilization beside it tells which of the two threads is the limit.
function finish(ops: number, started: Started): Measurement {
  const seconds = (performance.now() - started.ms) / 1000;
  const cpu = process.cpuUsage(started.cpu);
  const elu = performance.eventLoopUtilization(started.elu);
  return {
    ops,
    seconds,
    opsPerSec: ops / seconds,
    cpuPercent: ((cpu.user + cpu.system) / 1e6 / seconds) * 100,
    mainBusyPercent: elu.utilization * 100,
  };
}

/**
 * measureConcurrent keeps exactly `concurrency` calls in flight: each of
 * that many loops awaits one call at a time until the deadline. Calls
 * still in flight at the deadline are waited for and counted, and the
 * elapsed time runs until the last one returns.
 */
async function measureConcurrent(
  durationMs: number,
  concurrency: number,
  op: AsyncOp,
): Promise<Measurement> {
  let next = 0;
  let ops = 0;
  const started = begin();
  const deadline = started.ms + durationMs;
  const loop = async (): Promise<void> => {
    while (performance.now() < deadline) {
      await op(next++);
      ops++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  return finish(ops, started);
}

/**
 * measureSync calls op back to back on this thread until the deadline.
 * In-process barrier calls are synchronous, so this is the most the main
 * thread can do; wrapping them in promises would only add overhead and
 * flatter the worker.
 */
function measureSync(durationMs: number, op: SyncOp): Measurement {
  let ops = 0;
  const started = begin();
  const deadline = started.ms + durationMs;
  while (performance.now() < deadline) op(ops++);
  return finish(ops, started);
}

interface PairResult {
  readonly get: Measurement;
  readonly put: Measurement;
}

async function benchWorker(
  dir: string,
  durationMs: number,
  values: readonly Buffer[],
): Promise<PairResult> {
  const client = await KeyWorkerClient.start({
    worker: {
      dbPath: join(dir, 'worker.db'),
      kdf: SETUP_KDF,
      minPasswordLength: MIN_PASSWORD_LENGTH,
    },
  });
  try {
    await client.init(BENCH_PASSWORD);
    const pick = (n: number): Buffer => valueFor(values, n);
    const get: AsyncOp = async (n) => {
      const path = entryPath(n);
      checkValue(await client.barrierGet(path), path);
    };
    const put: AsyncOp = async (n) => {
      await client.barrierPut(entryPath(n), pick(n));
    };

    // Populate every entry once, with the same concurrency as the runs.
    let filled = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (filled < ENTRIES) await put(filled++);
      }),
    );
    const first = await client.barrierGet(entryPath(0));
    if (first === null || !pick(0).equals(first)) {
      throw new Error('bench: the worker did not read back what it stored');
    }

    await measureConcurrent(WARMUP_MS, CONCURRENCY, get);
    const getResult = await measureConcurrent(durationMs, CONCURRENCY, get);
    await measureConcurrent(WARMUP_MS, CONCURRENCY, put);
    const putResult = await measureConcurrent(durationMs, CONCURRENCY, put);
    return { get: getResult, put: putResult };
  } finally {
    await client.close();
  }
}

async function benchInProcess(
  dir: string,
  durationMs: number,
  values: readonly Buffer[],
): Promise<PairResult> {
  const { db } = openMigratedDatabase(join(dir, 'in-process.db'));
  const pool = new Argon2Pool();
  try {
    const machine = new SealStateMachine({
      db,
      pool,
      kdf: SETUP_KDF,
      minPasswordLength: MIN_PASSWORD_LENGTH,
    });
    await machine.init(Buffer.from(BENCH_PASSWORD));
    try {
      const barrier = machine.barrier;
      const pick = (n: number): Buffer => valueFor(values, n);
      const get: SyncOp = (n) => {
        const path = entryPath(n);
        checkValue(barrier.get(path), path);
      };
      const put: SyncOp = (n) => {
        barrier.put(entryPath(n), pick(n));
      };

      for (let n = 0; n < ENTRIES; n++) put(n);
      const first = barrier.get(entryPath(0));
      if (first === null || !pick(0).equals(first)) {
        throw new Error('bench: the barrier did not read back what it stored');
      }

      measureSync(WARMUP_MS, get);
      const getResult = measureSync(durationMs, get);
      measureSync(WARMUP_MS, put);
      const putResult = measureSync(durationMs, put);
      return { get: getResult, put: putResult };
    } finally {
      await machine.seal();
    }
  } finally {
    await pool.close();
    db.close();
  }
}

function row(label: string, op: string, m: Measurement): string[] {
  return [
    label,
    op,
    Math.round(m.opsPerSec).toLocaleString('en-US'),
    m.ops.toLocaleString('en-US'),
    m.seconds.toFixed(2),
    `${Math.round(m.cpuPercent)}%`,
    `${Math.round(m.mainBusyPercent)}%`,
  ];
}

async function main(): Promise<void> {
  const seconds = numberSetting('BENCH_SECONDS', DEFAULT_SECONDS);
  const durationMs = seconds * 1000;
  const values = Array.from({ length: VALUE_POOL }, () =>
    randomBytes(VALUE_BYTES),
  );

  const { worker, inProcess } = await withTempDir(async (dir) => ({
    worker: await benchWorker(dir, durationMs, values),
    inProcess: await benchInProcess(dir, durationMs, values),
  }));
  const getRatio = worker.get.opsPerSec / inProcess.get.opsPerSec;
  const putRatio = worker.put.opsPerSec / inProcess.put.opsPerSec;

  console.log(`## Barrier throughput (${machineLine()})`);
  console.log();
  console.log(
    `${VALUE_BYTES}-byte values, ${ENTRIES} entries, ${seconds} s per ` +
      `measurement after ${WARMUP_MS} ms warm-up; the worker is driven ` +
      `with ${CONCURRENCY} calls in flight, in-process calls run back ` +
      'to back.',
  );
  console.log();
  console.log(
    markdownTable(
      [
        'path',
        'op',
        'ops/s',
        'ops',
        'seconds',
        'process CPU',
        'main loop busy',
      ],
      [
        row('key worker', 'get', worker.get),
        row('key worker', 'put', worker.put),
        row('in-process', 'get', inProcess.get),
        row('in-process', 'put', inProcess.put),
      ],
    ),
  );
  console.log();
  console.log(
    markdownTable(
      ['ratio worker / in-process', 'value', 'target'],
      [
        ['get', getRatio.toFixed(2), `>= ${GET_RATIO_TARGET}`],
        ['put', putRatio.toFixed(2), '-'],
      ],
    ),
  );
  console.log();
  console.log(
    JSON.stringify({
      bench: 'barrier-throughput',
      node: process.version,
      seconds,
      valueBytes: VALUE_BYTES,
      entries: ENTRIES,
      concurrency: CONCURRENCY,
      workerGetOpsPerSec: Math.round(worker.get.opsPerSec),
      workerPutOpsPerSec: Math.round(worker.put.opsPerSec),
      inProcessGetOpsPerSec: Math.round(inProcess.get.opsPerSec),
      inProcessPutOpsPerSec: Math.round(inProcess.put.opsPerSec),
      workerGetMainBusyPercent: Math.round(worker.get.mainBusyPercent),
      getRatio: round(getRatio, 3),
      putRatio: round(putRatio, 3),
      getTargetMet: getRatio >= GET_RATIO_TARGET,
    }),
  );
}

await main();
