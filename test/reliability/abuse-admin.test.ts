// Part 5, brute force and abuse: the admin boundary. A non-admin, whom a
// policy rule allows every engine operation a rule can grant, reaches no
// admin endpoint, admin-only engine operation or admin form of the web
// UI by any route, and the database is unchanged afterwards.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { Harness } from '../server/harness.js';
import { probeAdminSurface } from './abuse-probe.js';

describe('abuse: the admin surface as a non-admin', () => {
  let h: Harness;
  let admin: string;

  before(async () => {
    ({ h, admin } = await Harness.startReady());
  });

  after(async () => {
    await h.close();
  });

  it('refuses alice every admin endpoint, operation and form; nothing changes', async () => {
    const report = await probeAdminSurface(h, admin);

    const wrong = report.rows.filter((row) => !row.refused);
    assert.deepEqual(wrong, []);
    assert.deepEqual(report.changed, []);
    assert.ok(report.adminEndpoints.length >= 13);
    assert.ok(report.adminOperations.includes('transit/export-key'));
    assert.ok(report.uiAdminRoutes.includes('POST /dashboard/seal'));
    const forbidden = report.rows.filter((row) => row.status === 403);
    assert.ok(report.warnings >= forbidden.length, String(report.warnings));
    assert.deepEqual(
      report.controls.filter((c) => c.status !== 200),
      [],
      'the read-only probes work for an admin',
    );
  });
});
