// Tampering with the vault file: each edit of tamper-cases.ts is detected
// and refused with its documented error, and the server keeps serving the
// rest, one server process taking every case in turn (the same cases make
// the `tamper` long part's table).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { TAMPER_CASES } from './tamper-cases.js';
import { runCase } from './tamper-run.js';
import { TamperVault } from './tamper-vault.js';

describe('tampering with the vault file', () => {
  let vault: TamperVault;
  before(async () => {
    vault = await TamperVault.make();
  });
  after(async () => {
    // Still up after every case, and it stops cleanly.
    assert.equal(await vault.remove(), 0);
  });

  for (const tamperCase of TAMPER_CASES) {
    it(`refuses ${tamperCase.edit}, and serves the rest`, async () => {
      const outcome = await runCase(vault, tamperCase);
      assert.deepEqual(outcome.problems, []);
    });
  }
});
