// TLS probes for the transport part: one handshake and what it came to,
// a deliberately lax server to show a probe's offer is real, and an RSA
// certificate, since suites with RSA key exchange or RSA signatures can
// only be tried against a server that has one.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { connect, createServer } from 'node:tls';
import type { ConnectionOptions, TLSSocket } from 'node:tls';

import { runProcess } from '../db/scratch.js';
import { TLS_FILES } from '../fixtures/tls-files.js';

/** Handshake is what a handshake came to. */
export type Handshake =
  | {
      readonly kind: 'accepted';
      readonly protocol: string;
      readonly cipher: string;
    }
  /** The server ended it, with an alert or by closing. */
  | { readonly kind: 'refused'; readonly code: string }
  /** The local OpenSSL would not even send the offer. */
  | { readonly kind: 'not offered'; readonly code: string };

// Errors the client raises before anything reaches the server.
const CLIENT_SIDE = new Set([
  'ERR_SSL_NO_CIPHER_MATCH',
  'ERR_SSL_NO_CIPHERS_AVAILABLE',
]);

/**
 * handshake connects to port with options and reports the outcome. The
 * certificate is not checked: what is probed is what the server agrees
 * to, not whom the client trusts (anonymous suites have no certificate).
 */
export function handshake(
  port: number,
  options: ConnectionOptions,
): Promise<Handshake> {
  return new Promise((resolve) => {
    const done = (result: Handshake): void => {
      resolve(result);
    };
    let socket: TLSSocket | undefined;
    try {
      socket = connect(
        {
          host: '127.0.0.1',
          port,
          servername: 'localhost',
          rejectUnauthorized: false,
          ...options,
        },
        () => {
          done({
            kind: 'accepted',
            protocol: socket?.getProtocol() ?? 'unknown',
            cipher: socket?.getCipher().name ?? 'unknown',
          });
          socket?.end();
        },
      );
    } catch (err) {
      done({ kind: 'not offered', code: codeOf(err) });
      return;
    }
    socket.on('error', (err) => {
      const code = codeOf(err);
      done(
        CLIENT_SIDE.has(code)
          ? { kind: 'not offered', code }
          : { kind: 'refused', code },
      );
    });
  });
}

function codeOf(err: unknown): string {
  const { code } = err as { code?: unknown };
  return typeof code === 'string' ? code : String(err);
}

/** offer is a client limited to the suites of an OpenSSL cipher string. */
export function offer(ciphers: string, tls13 = false): ConnectionOptions {
  return tls13
    ? { minVersion: 'TLSv1.3', ciphers }
    : {
        minVersion: 'TLSv1',
        maxVersion: 'TLSv1.2',
        ciphers: `${ciphers}:@SECLEVEL=0`,
      };
}

/** protocolOnly is a client limited to one old protocol version. */
export function protocolOnly(version: 'TLSv1' | 'TLSv1.1'): ConnectionOptions {
  return {
    minVersion: version,
    maxVersion: version,
    ciphers: 'DEFAULT@SECLEVEL=0',
  };
}

// Every suite the local OpenSSL has, TLS 1.3's CCM suites included.
const LAX_CIPHERS = [
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_128_CCM_SHA256',
  'TLS_AES_128_CCM_8_SHA256',
  'ALL:COMPLEMENTOFALL:@SECLEVEL=0',
].join(':');

/** LaxServer is a TLS server that accepts anything it can. */
export interface LaxServer {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * laxServer starts a TLS server with the fixture ECDSA certificate and an
 * RSA one, TLS 1.0 and up, every suite and finite-field DH: the control
 * that shows a client really offers what the vault refuses.
 */
export async function laxServer(rsa: RsaFiles): Promise<LaxServer> {
  const server = createServer(
    {
      cert: [readFileSync(TLS_FILES.serverCert), readFileSync(rsa.cert)],
      key: [readFileSync(TLS_FILES.serverKey), readFileSync(rsa.key)],
      minVersion: 'TLSv1',
      ciphers: LAX_CIPHERS,
      dhparam: 'auto',
    },
    (socket) => {
      socket.end();
    },
  );
  await new Promise<void>((resolve) => {
    server.listen(0, '127.0.0.1', resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise((resolve) => {
        server.close(() => {
          resolve();
        });
      }),
  };
}

/** RsaFiles are an RSA certificate for localhost and its key. */
export interface RsaFiles {
  readonly cert: string;
  readonly key: string;
}

/** makeRsaCertificate writes a self-signed RSA-2048 pair into dir. */
export async function makeRsaCertificate(dir: string): Promise<RsaFiles> {
  const files = { cert: join(dir, 'rsa.crt'), key: join(dir, 'rsa.key') };
  const made = await runProcess('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    files.key,
    '-out',
    files.cert,
    '-days',
    '2',
    '-subj',
    '/CN=localhost',
    '-addext',
    'subjectAltName=DNS:localhost,IP:127.0.0.1',
  ]);
  if (made.status !== 0) throw new Error(`openssl req: ${made.stderr}`);
  return files;
}

/** SClient is what `openssl s_client` with a protocol flag came to. */
export interface SClient {
  readonly status: number | null;
  readonly alert: string | undefined;
  /** Whether this openssl does not have the flag at all. */
  readonly unknownFlag: boolean;
}

/** sClient runs `openssl s_client` limited by flag (`-tls1`) against port. */
export async function sClient(port: number, flag: string): Promise<SClient> {
  const result = await runProcess('openssl', [
    's_client',
    '-connect',
    `127.0.0.1:${String(port)}`,
    '-servername',
    'localhost',
    flag,
    '-cipher',
    'DEFAULT@SECLEVEL=0',
  ]);
  return {
    status: result.status,
    alert: /alert ([a-z ]+?)(?::|$)/m.exec(result.stderr)?.[1],
    unknownFlag: /unknown option/i.test(result.stderr),
  };
}
