// The soak server's memory as it runs: resident memory from
// /proc/<pid>/status, and the main thread's V8 heap from its metrics,
// read together at an interval.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

/**
 * readRssKiB is VmRSS of process pid in KiB: every page of it in memory,
 * its threads (the key worker among them) included, and nothing of the
 * process that asks.
 */
export function readRssKiB(pid: number): number {
  const status = readFileSync(`/proc/${String(pid)}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  if (match === null) throw new Error(`no VmRSS for pid ${String(pid)}`);
  return Number(match[1]);
}

/** Heap is the main thread's V8 heap, in KiB. */
export interface Heap {
  readonly usedKiB: number;
  readonly totalKiB: number;
}

/**
 * heapOf reads the heap from a Prometheus text reply of /v1/metrics
 * (prom-client's default `nodejs_heap_size_*_bytes` gauges).
 */
export function heapOf(metrics: string): Heap {
  const gauge = (name: string): number => {
    const line = new RegExp(
      `^metacrypt_nodejs_${name} (\\d+(?:\\.\\d+)?)$`,
      'm',
    );
    const match = line.exec(metrics);
    if (match === null) throw new Error(`metrics: no ${name}`);
    return Number(match[1]) / 1024;
  };
  return {
    usedKiB: gauge('heap_size_used_bytes'),
    totalKiB: gauge('heap_size_total_bytes'),
  };
}

/** MemorySample is one reading, seconds after the sampler started. */
export interface MemorySample extends Heap {
  readonly second: number;
  readonly rssKiB: number;
}

/**
 * MemorySampler reads a process's RSS and heap every intervalMs until
 * stopped. The heap comes by an HTTP call (readHeap), and the RSS is read
 * when it has arrived, so the two belong to the same moment.
 */
export class MemorySampler {
  readonly #pid: number;
  readonly #readHeap: () => Promise<Heap>;
  readonly #samples: MemorySample[] = [];
  readonly #start = performance.now();
  readonly #timer: NodeJS.Timeout;
  #taking: Promise<void> = Promise.resolve();
  #missed = 0;

  constructor(pid: number, intervalMs: number, readHeap: () => Promise<Heap>) {
    this.#pid = pid;
    this.#readHeap = readHeap;
    this.#next();
    this.#timer = setInterval(() => {
      this.#next();
    }, intervalMs);
  }

  /** stop takes a last reading and returns them all, oldest first. */
  async stop(): Promise<readonly MemorySample[]> {
    clearInterval(this.#timer);
    await this.#taking;
    this.#next();
    await this.#taking;
    if (this.#missed > 0) {
      throw new Error(`${String(this.#missed)} memory readings failed`);
    }
    return this.#samples;
  }

  // One reading at a time: a slow reply delays the next, never overlaps.
  // A reading that fails (the process has gone) must not throw from a
  // timer; stop() reports it instead.
  #next(): void {
    this.#taking = this.#taking.then(async () => {
      try {
        const heap = await this.#readHeap();
        this.#samples.push({
          second: (performance.now() - this.#start) / 1000,
          rssKiB: readRssKiB(this.#pid),
          ...heap,
        });
      } catch {
        this.#missed += 1;
      }
    });
  }
}

/**
 * levelOf is the median of pick(sample) over the samples taken in [from,
 * to] seconds. One reading lands anywhere in the garbage collector's
 * cycle, which moves RSS by a tenth or more within seconds; the median of
 * a window is the level the process sits at.
 */
export function levelOf(
  samples: readonly MemorySample[],
  pick: (sample: MemorySample) => number,
  from: number,
  to: number,
): number {
  const values = samples
    .filter((s) => s.second >= from && s.second <= to)
    .map(pick)
    .sort((a, b) => a - b);
  if (values.length === 0) throw new Error('no memory reading in the window');
  const middle = Math.floor(values.length / 2);
  return values.length % 2 === 1
    ? (values[middle] ?? 0)
    : ((values[middle - 1] ?? 0) + (values[middle] ?? 0)) / 2;
}
