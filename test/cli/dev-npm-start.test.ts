// `npm start` (bin/start.js): the script is wired up, and it builds only
// when the compiled tree is missing or older than what it is built from.
// The decision is tested on scratch trees; nothing here runs a build.
import assert from 'node:assert/strict';
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';

import { projectPath } from '../../src/paths.js';

/** StartScript is what bin/start.js exports. */
interface StartScript {
  readonly buildReason: (root: string) => string | null;
}

// Imported by URL: bin/start.js is plain JS outside the compiled tree,
// and it runs nothing when it is not the entry point.
const { buildReason } = (await import(
  pathToFileURL(projectPath('bin', 'start.js')).href
)) as StartScript;

const roots: string[] = [];
after(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

// Fixed times, a minute apart, so "newer" never depends on the clock.
const BUILT = new Date('2030-01-01T12:00:00Z');
const BEFORE = new Date('2030-01-01T11:59:00Z');
const AFTER = new Date('2030-01-01T12:01:00Z');

const SOURCES = [
  'package.json',
  'tsconfig.json',
  'src/paths.ts',
  'src/cli/commands/dev.ts',
];

/** tree makes a built project: every source older than the manifest. */
function tree(): string {
  const root = mkdtempSync(join(tmpdir(), 'metacrypt-start-test-'));
  roots.push(root);
  for (const file of [...SOURCES, 'dist/src/paths.js']) {
    touch(root, file, BEFORE);
  }
  touch(root, 'oclif.manifest.json', BUILT);
  return root;
}

function touch(root: string, file: string, time: Date): void {
  const path = join(root, file);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, '');
  utimesSync(path, time, time);
}

describe('npm start', () => {
  it('runs bin/start.js', () => {
    const pkg = JSON.parse(
      readFileSync(projectPath('package.json'), 'utf8'),
    ) as { scripts: Record<string, string> };
    assert.equal(pkg.scripts.start, 'node bin/start.js');
  });

  it('does not build a tree built after its last change', () => {
    assert.equal(buildReason(tree()), null);
  });

  it('builds when dist/ is missing', () => {
    const root = tree();
    rmSync(join(root, 'dist'), { recursive: true });
    assert.equal(buildReason(root), 'dist/ is missing');
  });

  it('builds when the manifest is missing', () => {
    const root = tree();
    rmSync(join(root, 'oclif.manifest.json'));
    assert.equal(buildReason(root), 'oclif.manifest.json is missing');
  });

  it('builds when any source is newer than the manifest', () => {
    for (const file of SOURCES) {
      const root = tree();
      touch(root, file, AFTER);
      assert.equal(
        buildReason(root),
        `${file} is newer than oclif.manifest.json`,
      );
    }
  });

  it('builds for a new file deep under src/', () => {
    const root = tree();
    touch(root, 'src/dev/new/module.ts', AFTER);
    assert.equal(
      buildReason(root),
      'src/dev/new/module.ts is newer than oclif.manifest.json',
    );
  });

  it('ignores changes outside what the build reads', () => {
    const root = tree();
    touch(root, 'README.md', AFTER);
    touch(root, 'docs/CLI.md', AFTER);
    touch(root, 'dist/src/paths.js', AFTER);
    assert.equal(buildReason(root), null);
  });
});
