// The server's TLS settings: certificate and key errors an operator can
// act on, the protocol floor, and a cipher list of AEAD suites only.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import type { Config } from '../../src/config/index.js';
import { loadTlsSettings } from '../../src/server/tls-settings.js';
import type { TlsSettings } from '../../src/server/tls-settings.js';
import { thrownBy } from '../errors/thrown-error.js';
import { TLS_FILES } from '../fixtures/tls-files.js';

const work = mkdtempSync(join(tmpdir(), 'metacrypt-tls-'));
after(() => {
  rmSync(work, { recursive: true, force: true });
});

function serverSection(
  changes: Partial<Config['server']> = {},
): Config['server'] {
  return {
    listen_addr: '127.0.0.1:0',
    tls_cert: TLS_FILES.serverCert,
    tls_key: TLS_FILES.serverKey,
    tls_min_version: '1.2',
    max_request_bytes: 1024 * 1024,
    auth_rate_limit: 30,
    metrics_public: false,
    ...changes,
  };
}

function tlsErrorOf(changes: Partial<Config['server']>): string {
  const err = thrownBy(() => loadTlsSettings(serverSection(changes)));
  assert.equal(err.code, 'server_tls');
  return err.message;
}

function writeFile(name: string, text: string): string {
  const path = join(work, name);
  writeFileSync(path, text);
  return path;
}

// A freshly made private key of the given type, written as PKCS#8 PEM.
function otherKey(name: string, type: 'ec' | 'rsa'): string {
  const { privateKey } =
    type === 'ec'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : generateKeyPairSync('rsa', { modulusLength: 2048 });
  return writeFile(
    name,
    privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  );
}

describe('loadTlsSettings', () => {
  it('names a missing certificate or key file', () => {
    const cert = join(work, 'absent.crt');
    assert.equal(
      tlsErrorOf({ tls_cert: cert }),
      `server: tls: read certificate: no such file or directory (${cert})`,
    );
    const key = join(work, 'absent.key');
    assert.equal(
      tlsErrorOf({ tls_key: key }),
      `server: tls: read key: no such file or directory (${key})`,
    );
  });

  it('names a certificate or key file with no PEM data in it', () => {
    const junk = writeFile('junk.txt', 'not a certificate\n');
    assert.equal(
      tlsErrorOf({ tls_cert: junk }),
      `server: tls: failed to find any PEM data in certificate input (${junk})`,
    );
    assert.equal(
      tlsErrorOf({ tls_key: junk }),
      `server: tls: failed to find any PEM data in key input (${junk})`,
    );
  });

  it('says so when the certificate and key files are swapped', () => {
    assert.equal(
      tlsErrorOf({ tls_cert: TLS_FILES.serverKey }),
      'server: tls: failed to find certificate PEM data in certificate ' +
        'input, but did find a private key; PEM inputs may have been ' +
        `switched (${TLS_FILES.serverKey})`,
    );
    assert.equal(
      tlsErrorOf({ tls_key: TLS_FILES.serverCert }),
      'server: tls: found a certificate rather than a key in the PEM ' +
        `for the private key (${TLS_FILES.serverCert})`,
    );
  });

  it('refuses a key of the right type that the certificate is not for', () => {
    assert.equal(
      tlsErrorOf({ tls_key: otherKey('other-ec.key', 'ec') }),
      'server: tls: private key does not match public key',
    );
  });

  // OpenSSL holds one certificate and key per key type, so a key of
  // another type loads beside the certificate and the mistake would only
  // show as failed handshakes.
  it('refuses a key of another type than the certificate', () => {
    assert.equal(
      tlsErrorOf({ tls_key: otherKey('other-rsa.key', 'rsa') }),
      'server: tls: private key type does not match public key type',
    );
  });

  it('loads a valid pair with TLS 1.2 as the floor by default', () => {
    const settings: TlsSettings = loadTlsSettings(serverSection());
    assert.equal(settings.minVersion, 'TLSv1.2');
    assert.match(settings.cert.toString('utf8'), /BEGIN CERTIFICATE/);
    assert.match(settings.key.toString('utf8'), /PRIVATE KEY/);
  });

  it('raises the floor to TLS 1.3 when configured', () => {
    const settings = loadTlsSettings(serverSection({ tls_min_version: '1.3' }));
    assert.equal(settings.minVersion, 'TLSv1.3');
  });

  it('offers only forward-secret AEAD suites, none with CBC', () => {
    const suites = loadTlsSettings(serverSection()).ciphers.split(':');
    assert.ok(suites.length > 0);
    // TLS 1.3 suites are all forward secret; before 1.3 only ECDHE is.
    // Named suites only: an alias such as HIGH would bring CBC back.
    for (const suite of suites) {
      assert.match(suite, /^(?:TLS_|ECDHE-)/);
      assert.match(suite, /(?:GCM|CHACHA20.POLY1305)/);
    }
    assert.ok(!suites.some((suite) => /CBC|-SHA$|SHA1/.test(suite)));
  });
});
