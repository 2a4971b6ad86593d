// The cipher suites the transport part offers: each weak family alone,
// and every suite the local OpenSSL knows one at a time, with what
// OpenSSL itself says of each (key exchange, cipher, MAC).
import { runProcess } from '../db/scratch.js';

/** WeakFamily is a kind of suite no vault should agree to. */
export interface WeakFamily {
  readonly family: string;
  /** The OpenSSL cipher string that offers the family and nothing else. */
  readonly ciphers: string;
  /** Whether the suites are TLS 1.3's (offered with TLS 1.3 only). */
  readonly tls13?: boolean;
}

/** WEAK_FAMILIES are the families a client offers the vault, each alone. */
export const WEAK_FAMILIES: readonly WeakFamily[] = [
  { family: 'RC4', ciphers: 'RC4' },
  { family: '3DES', ciphers: '3DES' },
  { family: 'single DES', ciphers: 'DES' },
  { family: 'EXPORT', ciphers: 'EXPORT' },
  { family: 'SEED and IDEA', ciphers: 'SEED:IDEA' },
  { family: 'NULL (no encryption)', ciphers: 'eNULL' },
  { family: 'anonymous (no authentication)', ciphers: 'aNULL' },
  { family: 'RSA key exchange (no ECDHE)', ciphers: 'kRSA' },
  { family: 'finite-field DHE (no ECDHE)', ciphers: 'kDHE' },
  { family: 'CBC with SHA-1', ciphers: 'SHA1' },
  { family: 'CBC with SHA-2', ciphers: 'CBC+SHA256:CBC+SHA384' },
  { family: 'Camellia', ciphers: 'CAMELLIA' },
  { family: 'ARIA', ciphers: 'ARIA' },
  { family: 'AES-CCM in TLS 1.2', ciphers: 'AESCCM' },
  { family: 'PSK', ciphers: 'PSK' },
  {
    family: 'AES-CCM in TLS 1.3',
    ciphers: 'TLS_AES_128_CCM_SHA256:TLS_AES_128_CCM_8_SHA256',
    tls13: true,
  },
];

/** Suite is one suite as `openssl ciphers -v` describes it. */
export interface Suite {
  readonly name: string;
  /** The oldest protocol it exists in: SSLv3, TLSv1, TLSv1.2, TLSv1.3. */
  readonly version: string;
  readonly kx: string;
  readonly enc: string;
  readonly mac: string;
}

/** knownSuites are every suite the local OpenSSL has, weak ones too. */
export async function knownSuites(): Promise<Suite[]> {
  const listed = await runProcess('openssl', [
    'ciphers',
    '-v',
    'ALL:COMPLEMENTOFALL:@SECLEVEL=0',
  ]);
  if (listed.status !== 0) throw new Error(`openssl ciphers: ${listed.stderr}`);
  const suites: Suite[] = [];
  for (const line of listed.stdout.split('\n')) {
    const [name, version, ...fields] = line.trim().split(/\s+/);
    if (name === undefined || version === undefined || name === '') continue;
    const field = (key: string): string =>
      fields.find((f) => f.startsWith(`${key}=`))?.slice(key.length + 1) ?? '';
    suites.push({
      name,
      version,
      kx: field('Kx'),
      enc: field('Enc'),
      mac: field('Mac'),
    });
  }
  // TLS 1.3's CCM suites are left out of ALL; they are suites all the same.
  for (const name of ['TLS_AES_128_CCM_SHA256', 'TLS_AES_128_CCM_8_SHA256']) {
    suites.push({
      name,
      version: 'TLSv1.3',
      kx: 'any',
      enc: 'AESCCM',
      mac: 'AEAD',
    });
  }
  return suites;
}

/**
 * isStrong says whether a suite is one the vault may agree to: TLS 1.3,
 * or ECDHE key exchange with AES-GCM or ChaCha20-Poly1305 (docs/API.md,
 * "Transport").
 */
export function isStrong(suite: Suite): boolean {
  if (suite.version === 'TLSv1.3') return /AESGCM|CHACHA20/.test(suite.enc);
  return (
    suite.kx === 'ECDH' &&
    suite.mac === 'AEAD' &&
    /^(AESGCM|CHACHA20\/POLY1305)\(/.test(suite.enc)
  );
}
