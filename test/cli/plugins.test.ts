// Plugins, run as real processes: a fixture plugin linked from a local
// path adds a command that runs, shows in the plugin list and in help,
// and goes away again when unlinked; help itself comes from plugin-help.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import { projectPath } from '../../src/paths.js';
import { CliHome } from '../fixtures/cli-process.js';

const PLUGIN_DIR = projectPath('test', 'fixtures', 'plugin-hello');
const PLUGIN_NAME = 'metacrypt-plugin-hello';

describe('metacrypt plugins', () => {
  const home = new CliHome();
  after(() => {
    home.remove();
  });

  it('links a plugin from a local path and runs its command', async () => {
    const linked = await home.run([
      'plugins',
      'link',
      PLUGIN_DIR,
      '--no-install',
    ]);
    assert.equal(linked.status, 0, linked.stderr);

    // oclif records user plugins in the data directory, not the project.
    const record = readFileSync(join(home.dir, 'data', 'package.json'), 'utf8');
    assert.match(record, new RegExp(PLUGIN_NAME));

    const hello = await home.run(['hello', '--name', 'ann']);
    assert.equal(hello.status, 0, hello.stderr);
    assert.equal(hello.stdout, `hello, ann, from ${PLUGIN_NAME}\n`);
    assert.equal(hello.stderr, '', 'a linked plugin runs without warnings');
  });

  it('lists the linked plugin, and help shows its command', async () => {
    const list = await home.run(['plugins', '--json']);
    assert.equal(list.status, 0, list.stderr);
    const plugins = JSON.parse(list.stdout) as { name: string; type: string }[];
    const mine = plugins.find((plugin) => plugin.name === PLUGIN_NAME);
    assert.equal(mine?.type, 'link');

    const help = await home.run(['--help']);
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /hello\s+Say hello from a plugin\./);
    assert.match(help.stdout, /status\s+Show a server's seal state\./);
  });

  it('unlinks the plugin, and its command is gone', async () => {
    const unlinked = await home.run(['plugins', 'unlink', PLUGIN_NAME]);
    assert.equal(unlinked.status, 0, unlinked.stderr);

    const hello = await home.run(['hello']);
    assert.notEqual(hello.status, 0);
    assert.match(hello.stderr, /command hello not found/);
  });
});
