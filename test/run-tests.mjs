// Runs every compiled test file under dist/test with Node's test runner.
// Files are listed explicitly because Node 20 and Node 22+ read directory
// and glob arguments to --test differently; an explicit list means the same
// thing on both. Extra arguments filter by substring of the file path.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const testRoot = join(root, 'dist', 'test');

function collect(dir) {
  const found = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...collect(path));
    else if (name.endsWith('.test.js')) found.push(path);
  }
  return found;
}

const filters = process.argv.slice(2);
const files = collect(testRoot).filter(
  (file) =>
    filters.length === 0 ||
    filters.some((f) => relative(root, file).includes(f)),
);

if (files.length === 0) {
  console.error(`no test files found under ${relative(root, testRoot)}`);
  process.exit(1);
}

const result = spawnSync(
  process.execPath,
  ['--enable-source-maps', '--test', ...files],
  { stdio: 'inherit', cwd: root },
);
process.exit(result.status ?? 1);
