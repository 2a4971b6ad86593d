// The server's TLS settings: certificate and key read from the configured
// files with errors an operator can act on, TLS 1.2 or newer, and only
// forward-secret AEAD cipher suites.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import type { SecureVersion } from 'node:tls';

import type { Config } from '../config/index.js';
import { errnoReason, ServerError } from '../errors/index.js';

/** TlsSettings are the options https.createServer is given. */
export interface TlsSettings {
  readonly cert: Buffer;
  readonly key: Buffer;
  readonly minVersion: SecureVersion;
  readonly ciphers: string;
  readonly honorCipherOrder: true;
}

// TLS 1.3's three suites, then TLS 1.2 suites with ECDHE key exchange and
// an AEAD cipher: no CBC, no SHA-1 MACs, no static RSA key exchange.
const CIPHERS = [
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'TLS_AES_128_GCM_SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
].join(':');

const PEM_BLOCK = /-----BEGIN [A-Z0-9 ]+-----/;
const CERTIFICATE_BLOCK = '-----BEGIN CERTIFICATE-----';
const KEY_BLOCK = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/;

/**
 * loadTlsSettings reads the certificate chain and key named in config and
 * proves they load and belong together, so a bad file stops the server at
 * start with a message naming it rather than at the first handshake.
 */
export function loadTlsSettings(server: Config['server']): TlsSettings {
  const cert = readPem(server.tls_cert, 'certificate');
  const key = readPem(server.tls_key, 'key');
  try {
    createSecureContext({ cert, key });
  } catch (err) {
    throw new ServerError('server_tls', `tls: ${openSslReason(err)}`, {
      cause: err,
    });
  }
  checkKeyIsForCertificate(cert, key);
  return {
    cert,
    key,
    minVersion: server.tls_min_version === '1.3' ? 'TLSv1.3' : 'TLSv1.2',
    ciphers: CIPHERS,
    honorCipherOrder: true,
  };
}

function readPem(path: string, what: 'certificate' | 'key'): Buffer {
  let pem: Buffer;
  try {
    pem = readFileSync(path);
  } catch (err) {
    throw new ServerError(
      'server_tls',
      `tls: read ${what}: ${errnoReason(err) ?? 'failed'} (${path})`,
      { cause: err },
    );
  }
  // The same words Go's crypto/tls uses, which the runbook lists.
  const text = pem.toString('latin1');
  if (!PEM_BLOCK.test(text)) {
    throw new ServerError(
      'server_tls',
      `tls: failed to find any PEM data in ${what} input (${path})`,
    );
  }
  checkNotSwapped(text, what, path);
  return pem;
}

// Swapped paths are an easy mistake, and OpenSSL would call it only "no
// start line" or "unsupported"; Go's words say what happened.
function checkNotSwapped(
  text: string,
  what: 'certificate' | 'key',
  path: string,
): void {
  const hasCertificate = text.includes(CERTIFICATE_BLOCK);
  const hasKey = KEY_BLOCK.test(text);
  if (what === 'certificate' && !hasCertificate && hasKey) {
    throw new ServerError(
      'server_tls',
      'tls: failed to find certificate PEM data in certificate input, ' +
        'but did find a private key; PEM inputs may have been switched ' +
        `(${path})`,
    );
  }
  if (what === 'key' && !hasKey && hasCertificate) {
    throw new ServerError(
      'server_tls',
      'tls: found a certificate rather than a key in the PEM for the ' +
        `private key (${path})`,
    );
  }
}

// OpenSSL keeps one certificate and key per key type, so it loads an RSA
// key beside an EC certificate without complaint, leaving the certificate
// with no key: every handshake would then fail. Checked here instead,
// with the words Go uses for both mistakes.
function checkKeyIsForCertificate(cert: Buffer, key: Buffer): void {
  let leaf: X509Certificate;
  let privateKey: KeyObject;
  try {
    leaf = new X509Certificate(cert);
    privateKey = createPrivateKey(key);
  } catch (err) {
    throw new ServerError('server_tls', `tls: ${openSslReason(err)}`, {
      cause: err,
    });
  }
  if (privateKey.asymmetricKeyType !== leaf.publicKey.asymmetricKeyType) {
    throw new ServerError(
      'server_tls',
      'tls: private key type does not match public key type',
    );
  }
  if (!leaf.checkPrivateKey(privateKey)) {
    throw new ServerError(
      'server_tls',
      'tls: private key does not match public key',
    );
  }
}

// OpenSSL's reasons name what is wrong, never key material; a mismatch
// gets the wording operators know from Go.
function openSslReason(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  if (code === 'ERR_OSSL_X509_KEY_VALUES_MISMATCH') {
    return 'private key does not match public key';
  }
  const reason = (err as { reason?: unknown }).reason;
  if (typeof reason === 'string' && reason !== '') {
    return `cannot load certificate and key: ${reason}`;
  }
  return 'cannot load certificate and key';
}
