#!/usr/bin/env node
// `npm start`: builds when the compiled tree is missing or older than its
// sources, then runs `metacrypt dev` with the remaining arguments.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { constants } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

// The build writes oclif.manifest.json last, so its time is the build's.
const MANIFEST = 'oclif.manifest.json';

// What the build compiles from, besides every file under src/.
const BUILD_INPUTS = ['tsconfig.json', 'package.json'];

/**
 * buildReason tells why the tree under root needs `npm run build` before
 * it can run, in a few words, or returns null when it does not: dist/ or
 * the manifest is missing, or a file under src/ (or tsconfig.json,
 * package.json) was changed after the manifest was written.
 *
 * @param {string} root the project's directory
 * @returns {string | null}
 */
export function buildReason(root) {
  if (!existsSync(join(root, 'dist'))) return 'dist/ is missing';
  const manifest = join(root, MANIFEST);
  if (!existsSync(manifest)) return `${MANIFEST} is missing`;

  const builtAt = statSync(manifest).mtimeMs;
  const inputs = [
    ...BUILD_INPUTS.map((name) => join(root, name)),
    ...filesUnder(join(root, 'src')),
  ];
  const newer = inputs.find(
    (path) => existsSync(path) && statSync(path).mtimeMs > builtAt,
  );
  return newer === undefined
    ? null
    : `${relative(root, newer)} is newer than ${MANIFEST}`;
}

/** @param {string} dir @returns {string[]} */
function filesUnder(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(path) : [path];
  });
}

/**
 * main builds if needed and runs `bin/run.js dev args`, and resolves with
 * the exit code to leave with: the build's if it failed, else the dev
 * server's (128 + the signal's number if a signal ended it).
 *
 * @param {string[]} args
 * @returns {Promise<number>}
 */
async function main(args) {
  // Signals go on to whichever child is running; this process stays up
  // to pass on the child's exit code.
  /** @type {import('node:child_process').ChildProcess | undefined} */
  let current;
  /** @param {NodeJS.Signals} signal */
  const forward = (signal) => {
    current?.kill(signal);
  };
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);

  // Step 1: the build, its output on stderr, so stdout holds only the
  // banner (or the --json line) of the server.
  const reason = buildReason(ROOT);
  if (reason !== null) {
    process.stderr.write(`start: building first: ${reason}\n`);
    current = spawn('npm', ['run', 'build'], {
      cwd: ROOT,
      stdio: ['ignore', 2, 'inherit'],
    });
    const status = await exitStatus(current);
    if (status !== 0) {
      process.stderr.write('start: the build failed\n');
      return status;
    }
  }

  // Step 2: the dev server. A Ctrl-C in a terminal reaches it directly
  // too (same process group); the dev command absorbs the repeat.
  current = spawn(
    process.execPath,
    [join(ROOT, 'bin', 'run.js'), 'dev', ...args],
    { stdio: 'inherit' },
  );
  return exitStatus(current);
}

/**
 * exitStatus waits for child to end: its exit code, or 128 + the number
 * of the signal that ended it, as a shell reports it.
 *
 * @param {import('node:child_process').ChildProcess} child
 * @returns {Promise<number>}
 */
async function exitStatus(child) {
  const [code, signal] = await once(child, 'exit');
  if (code !== null) return code;
  return 128 + (constants.signals[signal] ?? 0);
}

// Run only as the entry point: tests import buildReason without building.
if (isEntryPoint()) process.exitCode = await main(process.argv.slice(2));

function isEntryPoint() {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return realpathSync(script) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}
