// What the transport part probes: the vault with the fixture ECDSA
// certificate (initialized, with a notes mount and admin and alice
// logged in), the vault again with an RSA certificate, and a lax TLS
// server as the control.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { Harness } from '../server/harness.js';
import { laxServer, makeRsaCertificate } from './transport-tls.js';
import type { LaxServer } from './transport-tls.js';

/** TransportRig is the servers of the transport part, running. */
export interface TransportRig {
  /** The vault with the ECDSA certificate: the one replies come from. */
  readonly ecdsa: Harness;
  readonly admin: string;
  readonly alice: string;
  /** The vault with an RSA certificate, for RSA-only suites. */
  readonly rsa: Harness;
  readonly lax: LaxServer;
  close(): Promise<void>;
}

/**
 * startTransportRig starts the three servers. The ECDSA vault allows
 * 1024-byte bodies and two logins a minute, so a 413 and a 429 are cheap
 * to get; its notes mount has an operation that fails on purpose (500).
 */
export async function startTransportRig(): Promise<TransportRig> {
  const dir = mkdtempSync(join(tmpdir(), 'metacrypt-transport-'));
  const rsaFiles = await makeRsaCertificate(dir);
  const {
    h: ecdsa,
    admin,
    alice,
  } = await Harness.startReady({
    config: { server: { max_request_bytes: 1024, auth_rate_limit: 2 } },
  });
  const mounted = await ecdsa.call('POST', '/v1/engine/mount', {
    token: admin,
    json: { name: 'notes', type: 'notes' },
  });
  assert.equal(mounted.status, 201, mounted.text);
  const rsa = await Harness.start({
    config: { server: { tls_cert: rsaFiles.cert, tls_key: rsaFiles.key } },
  });
  const lax = await laxServer(rsaFiles);
  return {
    ecdsa,
    admin,
    alice,
    rsa,
    lax,
    async close(): Promise<void> {
      await lax.close();
      await rsa.close();
      await ecdsa.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
