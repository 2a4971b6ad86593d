// Reads another process's resident memory from /proc/<pid>/status, and
// samples it at an interval while the soak's load runs.
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

/** RssSample is one reading, seconds after the sampler started. */
export interface RssSample {
  readonly second: number;
  readonly kib: number;
}

/** RssSampler reads a process's RSS every intervalMs until stopped. */
export class RssSampler {
  readonly #pid: number;
  readonly #samples: RssSample[] = [];
  readonly #timer: NodeJS.Timeout;
  readonly #start = performance.now();
  #missed = 0;

  constructor(pid: number, intervalMs: number) {
    this.#pid = pid;
    this.#take();
    this.#timer = setInterval(() => {
      // A reading that fails (the process has gone) must not throw from a
      // timer; stop() reports it instead.
      try {
        this.#take();
      } catch {
        this.#missed += 1;
      }
    }, intervalMs);
  }

  /** stop takes a last reading and returns them all, oldest first. */
  stop(): readonly RssSample[] {
    clearInterval(this.#timer);
    if (this.#missed > 0) {
      throw new Error(`${String(this.#missed)} RSS readings failed`);
    }
    this.#take();
    return this.#samples;
  }

  #take(): void {
    this.#samples.push({
      second: (performance.now() - this.#start) / 1000,
      kib: readRssKiB(this.#pid),
    });
  }
}
