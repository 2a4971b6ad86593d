// `metacrypt --version` answers before oclif loads; its line must be the
// one oclif itself would print, and every other command still gets oclif.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { Config } from '@oclif/core';

import { projectPath } from '../../src/paths.js';
import { CliHome } from '../fixtures/cli-process.js';

describe('metacrypt --version', () => {
  it("prints oclif's own version line", async () => {
    const home = new CliHome();
    try {
      const result = await home.run(['--version']);
      assert.equal(result.status, 0, result.stderr);

      const config = await Config.load({ root: projectPath() });
      assert.equal(result.stdout, `${config.userAgent}\n`);
      assert.match(result.stdout, /^metacrypt\/\d+\.\d+\.\d+ /);
    } finally {
      home.remove();
    }
  });
});
