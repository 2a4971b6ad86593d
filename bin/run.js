#!/usr/bin/env node
// The metacrypt command: oclif reads package.json's "oclif" section and
// runs the compiled command under dist/src/cli/commands.
import { readFileSync } from 'node:fs';
import { arch, platform } from 'node:os';

// `metacrypt --version` answers before oclif loads: loading it takes about
// three times as long as starting Node itself, and a version check (in a
// health probe or an install script) needs none of it. The line is the one
// oclif prints, a test keeps the two equal.
if (process.argv[2] === '--version') {
  const pkg = JSON.parse(
    readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
  );
  const cpu = arch() === 'ia32' ? 'x86' : arch();
  process.stdout.write(
    `${pkg.name}/${pkg.version} ${platform()}-${cpu} node-${process.version}\n`,
  );
} else {
  const { execute, settings } = await import('@oclif/core');

  // Metacrypt and its plugins run compiled JavaScript. Without this, oclif
  // would try to transpile a linked plugin with ts-node, and warn that it
  // cannot on every run.
  settings.enableAutoTranspile = false;

  await execute({ dir: import.meta.url });
}
