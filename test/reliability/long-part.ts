// The contract of one long reliability run: what it is called, how it
// runs, and the report it hands to docs/RELIABILITY.md.
import { availableParallelism, loadavg } from 'node:os';

/** PartReport is what one long run found. */
export interface PartReport {
  /** Whether every target of the part was met. */
  readonly ok: boolean;
  /**
   * Markdown for the part's section of docs/RELIABILITY.md: what ran, the
   * figures (a table is best), and what each target came to. No heading:
   * the runner writes the part's title above it.
   */
  readonly markdown: string;
  /** The same figures as plain values, for the JSON summary line. */
  readonly figures: Readonly<Record<string, number | string | boolean>>;
}

/** LongPart is one long run of `npm run test:reliability`. */
export interface LongPart {
  /** A short id for filtering on the command line: `crash`, `soak`. */
  readonly id: string;
  /** The section title, e.g. `1. Crash safety`. */
  readonly title: string;
  /** Runs the part to its end (bounded in count and time) and reports. */
  run(): Promise<PartReport>;
}

/** machineLine says where and when the figures were taken. */
export function machineLine(): string {
  const load = loadavg()
    .map((n) => n.toFixed(2))
    .join(' ');
  return (
    `node ${process.version}, ${process.platform}/${process.arch}, ` +
    `${String(availableParallelism())} CPUs, load ${load}, ` +
    new Date().toISOString()
  );
}
