// Makes the throwaway TLS identity of `metacrypt dev`: a self-signed
// ECDSA P-256 certificate for this host's loopback names, made in-process.
import { webcrypto } from 'node:crypto';

// @peculiar/x509 resolves its ASN.1 schemas through tsyringe, which needs
// the Reflect metadata API installed before the library is loaded.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

import { zeroize } from '../crypto/index.js';

/** DEV_CERT_DNS_NAMES are the DNS names the certificate is valid for. */
export const DEV_CERT_DNS_NAMES: readonly string[] = ['localhost'];

/** DEV_CERT_IP_ADDRESSES are the IP addresses it is valid for. */
export const DEV_CERT_IP_ADDRESSES: readonly string[] = ['127.0.0.1', '::1'];

/** DEV_CERT_VALIDITY_DAYS is how long a certificate lasts unless told. */
export const DEV_CERT_VALIDITY_DAYS = 7;

// Backdating the start covers a clock a little behind this one (a
// container's, say), so a client does not see "not yet valid".
const BACKDATE_MS = 5 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

const ALGORITHM: webcrypto.EcKeyGenParams = {
  name: 'ECDSA',
  namedCurve: 'P-256',
};
const SIGNING: webcrypto.EcdsaParams = { name: 'ECDSA', hash: 'SHA-256' };

/** SelfSignedCertOptions adjust createSelfSignedCert. */
export interface SelfSignedCertOptions {
  readonly validityDays?: number;
  /** The time the certificate is made at; now unless told (tests). */
  readonly now?: Date;
}

/** SelfSignedCert is a certificate and its private key, both PEM. */
export interface SelfSignedCert {
  /** The certificate, which is also the CA file clients trust. */
  readonly certPem: string;
  /** The private key, PKCS #8. */
  readonly keyPem: string;
  readonly notAfter: Date;
}

/**
 * createSelfSignedCert makes a new key pair and a certificate for it,
 * signed by itself, for DEV_CERT_DNS_NAMES and DEV_CERT_IP_ADDRESSES.
 * It is an end-entity certificate (CA:FALSE, serverAuth): clients trust
 * it directly as its own anchor, and it can sign nothing else, so a
 * copy of the file left behind cannot vouch for any other name.
 */
export async function createSelfSignedCert(
  options: SelfSignedCertOptions = {},
): Promise<SelfSignedCert> {
  const now = options.now ?? new Date();
  const days = options.validityDays ?? DEV_CERT_VALIDITY_DAYS;
  if (!Number.isInteger(days) || days < 1) {
    throw new RangeError('validityDays must be a whole number, at least 1');
  }

  // Step 1: the key pair, extractable only so the key can be written out.
  const crypto = webcrypto;
  const keys = await crypto.subtle.generateKey(ALGORITHM, true, [
    'sign',
    'verify',
  ]);

  // Step 2: the certificate, signed with its own key.
  const notAfter = new Date(now.getTime() + days * DAY_MS);
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: serialNumber(),
      name: 'CN=localhost, O=Metacrypt development server',
      notBefore: new Date(now.getTime() - BACKDATE_MS),
      notAfter,
      keys,
      signingAlgorithm: SIGNING,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        new x509.SubjectAlternativeNameExtension(subjectAltNames()),
        await x509.SubjectKeyIdentifierExtension.create(
          keys.publicKey,
          false,
          crypto,
        ),
      ],
    },
    crypto,
  );

  // Step 3: the key as PKCS #8 PEM; the DER bytes are wiped once encoded.
  const der = new Uint8Array(
    await crypto.subtle.exportKey('pkcs8', keys.privateKey),
  );
  try {
    return {
      certPem: cert.toString('pem') + '\n',
      keyPem: pem('PRIVATE KEY', der),
      notAfter,
    };
  } finally {
    zeroize(der);
  }
}

function subjectAltNames(): x509.JsonGeneralName[] {
  return [
    ...DEV_CERT_DNS_NAMES.map((value) => ({ type: 'dns' as const, value })),
    ...DEV_CERT_IP_ADDRESSES.map((value) => ({ type: 'ip' as const, value })),
  ];
}

// RFC 5280 §4.1.2.2: a positive integer of at most 20 octets; 16 random
// bytes with the top bit clear are both, and unique enough.
function serialNumber(): string {
  const bytes = new Uint8Array(16);
  webcrypto.getRandomValues(bytes);
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return Buffer.from(bytes).toString('hex');
}

// RFC 7468: base64 in lines of 64 characters between the labels.
function pem(label: string, der: Uint8Array): string {
  const base64 = Buffer.from(der.buffer, der.byteOffset, der.byteLength)
    .toString('base64')
    .replace(/.{64}/g, '$&\n')
    .replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${base64}\n-----END ${label}-----\n`;
}
