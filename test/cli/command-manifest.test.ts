// Every built-in command documents itself: a summary, a description, at
// least one example and --json, as oclif.manifest.json (written by the
// build from the compiled commands) records them.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

import { projectPath } from '../../src/paths.js';

interface ManifestCommand {
  readonly summary?: string;
  readonly description?: string;
  readonly examples?: readonly string[];
  readonly flags: Readonly<Record<string, unknown>>;
}

// The commands the issue names; the manifest must hold at least these.
const EXPECTED = [
  'server',
  'init',
  'status',
  'snapshot',
  'snapshot:verify',
  'unseal',
  'seal',
  'rekey',
  'login',
  'logout',
  'engine:mount',
  'engine:unmount',
  'engine:list',
  'policy:list',
  'policy:create',
  'policy:delete',
  'transit:create-key',
  'transit:encrypt',
  'transit:decrypt',
  'transit:sign',
  'transit:verify',
  'transit:hmac',
  'dev',
  'config:check',
];

function manifest(): Record<string, ManifestCommand> {
  const text = readFileSync(projectPath('oclif.manifest.json'), 'utf8');
  return (JSON.parse(text) as { commands: Record<string, ManifestCommand> })
    .commands;
}

describe('the command manifest', () => {
  it('holds every command the CLI promises', () => {
    const ids = Object.keys(manifest());
    for (const id of EXPECTED) assert.ok(ids.includes(id), `missing ${id}`);
  });

  it('gives each command a summary, description, examples and --json', () => {
    for (const [id, command] of Object.entries(manifest())) {
      assert.ok((command.summary ?? '').length > 0, `${id}: no summary`);
      assert.ok(
        (command.description ?? '').length > 0,
        `${id}: no description`,
      );
      assert.ok((command.examples ?? []).length > 0, `${id}: no examples`);
      assert.ok('json' in command.flags, `${id}: no --json`);
    }
  });
});
