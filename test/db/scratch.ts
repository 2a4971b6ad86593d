// Shared helpers for the database tests: scratch directories, the umask,
// file modes, caught errors and child Node processes.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { DatabaseError } from '../../src/errors/index.js';
import { thrownBy } from '../errors/thrown-error.js';
import { collectOutput } from '../fixtures/child-output.js';
import type { ChildResult } from '../fixtures/child-output.js';

/** makeTempDir creates a fresh, empty directory (mode 0700) under tmpdir. */
export function makeTempDir(): string {
  return mkdtempSync(join(tmpdir(), 'metacrypt-db-test-'));
}

/** removeDir deletes a directory made by makeTempDir and all it holds. */
export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

let migrationDirs = 0;

/**
 * writeMigrations creates a fresh directory under root holding the given
 * migration files (name to SQL) and returns its path.
 */
export function writeMigrations(
  root: string,
  files: Record<string, string>,
): string {
  const dir = join(root, `migrations-${++migrationDirs}`);
  mkdirSync(dir);
  for (const [name, sql] of Object.entries(files)) {
    writeFileSync(join(dir, name), sql);
  }
  return dir;
}

/** withUmask runs fn with the process umask set to mask, then restores it. */
export function withUmask<T>(mask: number, fn: () => T): T {
  const previous = process.umask(mask);
  try {
    return fn();
  } finally {
    process.umask(previous);
  }
}

/** modeOf returns the permission bits of the file at path. */
export function modeOf(path: string): number {
  return statSync(path).mode & 0o777;
}

/** databaseErrorOf runs fn and returns the DatabaseError it must throw. */
export function databaseErrorOf(fn: () => unknown): DatabaseError {
  const err = thrownBy(fn);
  assert.ok(err instanceof DatabaseError, `not a DatabaseError: ${err.name}`);
  return err;
}

/**
 * fixturePath returns the compiled path of a script in test/db/fixtures,
 * to run as a child process.
 */
export function fixturePath(name: string): string {
  return new URL(`./fixtures/${name}.js`, import.meta.url).pathname;
}

/** runNode runs a script in a child Node process and collects its output. */
export function runNode(script: string, args: string[]): Promise<ChildResult> {
  return runProcess(process.execPath, [script, ...args]);
}

/**
 * runProcess runs command and collects its output. Asynchronous on
 * purpose: a server under test in this process must go on answering.
 */
export function runProcess(
  command: string,
  args: readonly string[],
): Promise<ChildResult> {
  return collectOutput(
    spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] }),
  );
}
