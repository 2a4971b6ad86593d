// The development server's self-signed certificate: its names, key and
// limits, and that Node's TLS trusts it as its own CA for localhost and
// 127.0.0.1 and for nothing else.
import assert from 'node:assert/strict';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { createServer, request } from 'node:https';
import type { Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { checkServerIdentity } from 'node:tls';
import { after, before, describe, it } from 'node:test';

import {
  createSelfSignedCert,
  DEV_CERT_VALIDITY_DAYS,
} from '../../src/dev/self-signed-cert.js';
import type { SelfSignedCert } from '../../src/dev/self-signed-cert.js';

const DAY_MS = 24 * 3600 * 1000;

/** get makes one GET to url, trusting ca, and resolves with the body. */
function get(url: string, ca?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { agent: false, ...(ca === undefined ? {} : { ca }) },
      (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (chunk: string) => {
          body += chunk;
        });
        res.on('end', () => {
          resolve(body);
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('createSelfSignedCert', () => {
  let made: SelfSignedCert;
  let cert: X509Certificate;
  const now = new Date('2030-01-02T03:04:05Z');

  before(async () => {
    made = await createSelfSignedCert({ now });
    cert = new X509Certificate(made.certPem);
  });

  it('names localhost, 127.0.0.1 and ::1, and nothing else', () => {
    assert.equal(
      cert.subjectAltName,
      'DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1',
    );
    assert.equal(cert.checkHost('localhost'), 'localhost');
    assert.equal(cert.checkIP('127.0.0.1'), '127.0.0.1');
    assert.equal(cert.checkIP('::1'), '::1');
    assert.equal(cert.checkHost('example.com'), undefined);
    assert.equal(cert.checkIP('10.0.0.1'), undefined);
  });

  it('is self-signed, an end entity, for TLS servers', () => {
    assert.equal(cert.issuer, cert.subject);
    assert.ok(cert.verify(cert.publicKey));
    assert.equal(cert.ca, false);
    assert.deepEqual(cert.keyUsage, ['1.3.6.1.5.5.7.3.1']);
  });

  it('has an ECDSA P-256 key, in PKCS #8 PEM, matching it', () => {
    assert.match(made.keyPem, /^-----BEGIN PRIVATE KEY-----\n/);
    assert.match(made.keyPem, /\n-----END PRIVATE KEY-----\n$/);
    const key = createPrivateKey(made.keyPem);
    assert.equal(key.asymmetricKeyType, 'ec');
    assert.equal(key.asymmetricKeyDetails?.namedCurve, 'prime256v1');
    assert.ok(cert.checkPrivateKey(key));
  });

  it('is valid from a little before now for a week', () => {
    const from = new Date(cert.validFrom).getTime();
    const to = new Date(cert.validTo).getTime();
    assert.ok(from < now.getTime());
    assert.ok(from >= now.getTime() - DAY_MS);
    assert.equal(to, now.getTime() + DEV_CERT_VALIDITY_DAYS * DAY_MS);
    assert.equal(made.notAfter.getTime(), to);
  });

  it('makes a new key and serial number every time', async () => {
    const other = await createSelfSignedCert({ now });
    const otherCert = new X509Certificate(other.certPem);
    assert.notEqual(otherCert.serialNumber, cert.serialNumber);
    assert.notEqual(other.keyPem, made.keyPem);
  });

  it('refuses a validity that is not a whole number of days', async () => {
    await assert.rejects(createSelfSignedCert({ validityDays: 0 }), RangeError);
    await assert.rejects(
      createSelfSignedCert({ validityDays: 1.5 }),
      RangeError,
    );
  });
});

describe('Node TLS and the self-signed certificate', () => {
  let made: SelfSignedCert;
  let server: Server;
  let port: number;

  before(async () => {
    made = await createSelfSignedCert();
    server = createServer(
      { cert: made.certPem, key: made.keyPem },
      (_, res) => {
        res.end('ok');
      },
    );
    await new Promise<void>((resolve) => {
      server.listen(0, '127.0.0.1', resolve);
    });
    port = (server.address() as AddressInfo).port;
  });

  after(async () => {
    await new Promise<void>((resolve) => {
      server.close(() => {
        resolve();
      });
    });
  });

  it('verifies it, as its own CA, for localhost', async () => {
    assert.equal(await get(`https://localhost:${port}/`, made.certPem), 'ok');
  });

  it('verifies it, as its own CA, for 127.0.0.1', async () => {
    assert.equal(await get(`https://127.0.0.1:${port}/`, made.certPem), 'ok');
  });

  it('refuses it without being told to trust it', async () => {
    await assert.rejects(get(`https://127.0.0.1:${port}/`), {
      code: 'DEPTH_ZERO_SELF_SIGNED_CERT',
    });
  });

  it('refuses it for a name it does not carry', () => {
    const peer = new X509Certificate(made.certPem).toLegacyObject();
    const checked = checkServerIdentity('example.com', peer);
    assert.ok(checked instanceof Error);
    assert.equal(checkServerIdentity('localhost', peer), undefined);
  });
});
