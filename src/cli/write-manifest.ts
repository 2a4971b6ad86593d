// Writes oclif.manifest.json after a build, so a command's start loads
// the one command run instead of importing every command to list them.
import { writeFileSync } from 'node:fs';

import { Plugin } from '@oclif/core';

import { projectPath } from '../paths.js';

/**
 * writeManifest loads the project's own commands as oclif would without
 * a manifest, and writes what it found to oclif.manifest.json at the
 * root. The build runs it; the file is not kept in git, so it cannot go
 * stale against the compiled commands.
 */
export async function writeManifest(): Promise<string> {
  const plugin = new Plugin({
    root: projectPath(),
    type: 'core',
    ignoreManifest: true,
    errorOnManifestCreate: true,
  });
  await plugin.load();
  const path = projectPath('oclif.manifest.json');
  writeFileSync(path, JSON.stringify(plugin.manifest, null, 2) + '\n');
  return path;
}

await writeManifest();
