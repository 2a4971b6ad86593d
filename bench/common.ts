// Helpers shared by the benchmarks: a scratch directory, a setting from
// the command line or the environment, and printing the results.
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * BENCH_PASSWORD is the seal password every benchmark uses; it only has to
 * pass the 12-character minimum.
 */
export const BENCH_PASSWORD = 'bench-password-0123456789';

/** MIN_PASSWORD_LENGTH matches the production default. */
export const MIN_PASSWORD_LENGTH = 12;

/**
 * withTempDir runs fn with a fresh directory under the system temp dir
 * and removes it afterwards, whether fn succeeds or not, so a failed run
 * leaves no database (and no sealed key material) behind.
 */
export async function withTempDir<T>(
  fn: (dir: string) => Promise<T>,
): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'metacrypt-bench-'));
  try {
    return await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * numberSetting reads a positive number from the first command-line
 * argument, else from the environment variable name, else returns
 * fallback. Anything unparsable is an error rather than a silent default,
 * so a typo cannot produce figures for the wrong setting.
 */
export function numberSetting(
  name: string,
  fallback: number,
  integer = false,
): number {
  const raw = process.argv[2] ?? process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  const valid =
    Number.isFinite(value) &&
    value > 0 &&
    (!integer || Number.isInteger(value));
  if (!valid) {
    throw new Error(
      `${name}: expected a positive ${integer ? 'whole ' : ''}number, ` +
        `got ${JSON.stringify(raw)}`,
    );
  }
  return value;
}

/** markdownTable renders rows under header as a GitHub markdown table. */
export function markdownTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const line = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
  return [
    line(header),
    line(header.map(() => '---')),
    ...rows.map((row) => line(row)),
  ].join('\n');
}

/** round keeps digits decimal places, for tables and JSON alike. */
export function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/**
 * machineLine says where and when the figures were taken. The load
 * average is included because on a small machine anything else running
 * moves the figures more than any change to the code would.
 */
export function machineLine(): string {
  const load = loadavg()
    .map((n) => n.toFixed(2))
    .join(' ');
  return (
    `node ${process.version}, ${process.platform}/${process.arch}, ` +
    `${availableParallelism()} CPUs, load ${load}, ` +
    new Date().toISOString()
  );
}
