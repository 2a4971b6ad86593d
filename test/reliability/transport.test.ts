// Transport, the checks test/server/transport.test.ts does not make
// already: TLS 1.0 and 1.1 from Node's client, each weak family of
// suites, every suite OpenSSL knows offered alone, with an ECDSA and an
// RSA certificate, security headers on replies of every status and on the
// web UI, what plain HTTP gets, and that nothing else listens. The long
// part `transport` runs the same and reports the table.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import {
  describeHandshake,
  familyChecks,
  oldProtocolChecks,
  suiteChecks,
} from './transport-handshakes.js';
import { headerChecks, plainCheck, portCheck } from './transport-replies.js';
import { startTransportRig } from './transport-rig.js';
import type { TransportRig } from './transport-rig.js';

describe('transport: versions, suites, headers, ports', () => {
  let rig: TransportRig;

  before(async () => {
    rig = await startTransportRig();
  });

  after(async () => {
    await rig.close();
  });

  // openssl s_client -tls1 and -tls1_1, and TLS 1.2 and 1.3 working, are
  // in test/server/transport.test.ts.
  it('refuses TLS 1.0 and TLS 1.1 from Node, where a lax server accepts them', async () => {
    const rows = await oldProtocolChecks(rig);
    assert.equal(rows.length, 2);
    for (const row of rows) {
      assert.ok(row.held, JSON.stringify(row));
      assert.match(row.vault, /refused \(protocol version alert\)/);
    }
  });

  it('refuses every weak family of suites, with either certificate', async (t) => {
    const rows = await familyChecks(rig);
    for (const row of rows) {
      t.diagnostic(
        `${row.family}: control ${describeHandshake(row.control)}, ` +
          `vault ${describeHandshake(row.ecdsa)} / ${describeHandshake(row.rsa)}`,
      );
      assert.ok(row.held, row.family);
      // What this OpenSSL can offer, the lax control accepts: the offer
      // the vault refused was real.
      if (row.control.kind !== 'not offered') {
        assert.equal(row.control.kind, 'accepted', row.family);
      }
    }
    const offered = rows.filter((row) => row.control.kind === 'accepted');
    assert.ok(
      offered.length >= 8,
      `only ${String(offered.length)} families offered`,
    );
  });

  it('agrees to no suite but ECDHE with AES-GCM or ChaCha20-Poly1305, or TLS 1.3', async (t) => {
    const report = await suiteChecks(rig);
    const names = (suites: readonly { name: string }[]): string =>
      suites.map((s) => s.name).join(' ');
    t.diagnostic(
      `${String(report.known)} suites, the control accepted ${String(report.control.length)}`,
    );
    t.diagnostic(`ECDSA certificate: ${names(report.ecdsa)}`);
    t.diagnostic(`RSA certificate: ${names(report.rsa)}`);
    assert.ok(report.held);
    assert.ok(report.control.length > report.ecdsa.length + report.rsa.length);
    assert.ok(report.ecdsa.some((s) => s.name.startsWith('ECDHE-ECDSA-')));
    assert.ok(report.rsa.some((s) => s.name.startsWith('ECDHE-RSA-')));
  });

  it('sends the security headers on API replies of every status and on web UI pages', async () => {
    const rows = await headerChecks(rig);
    assert.ok(rows.length >= 12);
    for (const row of rows) {
      assert.equal(row.status, row.expected, row.reply);
      assert.deepEqual(row.problems, [], row.reply);
    }
  });

  it('gives plain HTTP on the HTTPS port no HTTP reply at all', async (t) => {
    const plain = await plainCheck(rig);
    t.diagnostic(`plain HTTP got ${plain.described}`);
    assert.ok(plain.held, plain.described);
  });

  it('listens on the configured port and nothing else', async () => {
    const ports = await portCheck();
    assert.ok(ports.held, JSON.stringify(ports));
  });
});
