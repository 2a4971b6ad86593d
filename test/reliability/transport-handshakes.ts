// The TLS checks of the transport part: old protocols, each weak family
// of suites, and every suite the local OpenSSL knows, each offered to the
// vault (with an ECDSA and with an RSA certificate) and to a lax server
// that shows the offer was real.
import type { Handshake } from './transport-tls.js';
import { handshake, offer, protocolOnly, sClient } from './transport-tls.js';
import type { TransportRig } from './transport-rig.js';
import { isStrong, knownSuites, WEAK_FAMILIES } from './transport-suites.js';
import type { Suite } from './transport-suites.js';

// OpenSSL's codes in words, for the tables.
const WORDS: Readonly<Record<string, string>> = {
  ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE: 'handshake failure alert',
  ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION: 'protocol version alert',
  ERR_SSL_NO_CIPHER_MATCH: 'no such suite in this OpenSSL',
  ERR_SSL_NO_CIPHERS_AVAILABLE: 'PSK suites need a key the client has not',
};

/** describeHandshake says what a handshake came to, for a table cell. */
export function describeHandshake(result: Handshake): string {
  switch (result.kind) {
    case 'accepted':
      return `accepted (${result.protocol}, ${result.cipher})`;
    case 'refused':
      return `refused (${WORDS[result.code] ?? result.code})`;
    case 'not offered':
      return `not offered: ${WORDS[result.code] ?? result.code}`;
  }
}

/** ProtocolRow is one protocol probe against the control and the vault. */
export interface ProtocolRow {
  readonly probe: string;
  readonly control: string;
  readonly vault: string;
  /** The vault did what it should, and the control showed the offer real. */
  readonly held: boolean;
}

/** oldProtocolChecks offers TLS 1.0 and TLS 1.1 with Node's client. */
export async function oldProtocolChecks(
  rig: TransportRig,
): Promise<ProtocolRow[]> {
  const rows: ProtocolRow[] = [];
  for (const [name, version] of [
    ['TLS 1.0', 'TLSv1'],
    ['TLS 1.1', 'TLSv1.1'],
  ] as const) {
    // The client lowers its own security level, so a refusal is the
    // server's doing.
    const control = await handshake(rig.lax.port, protocolOnly(version));
    const result = await handshake(
      rig.ecdsa.server.port,
      protocolOnly(version),
    );
    rows.push({
      probe: `${name}, Node client`,
      control: describeHandshake(control),
      vault: describeHandshake(result),
      held: control.kind === 'accepted' && result.kind === 'refused',
    });
  }
  return rows;
}

/**
 * sClientChecks offers TLS 1.0, TLS 1.1 and SSL 3.0 with `openssl
 * s_client`, as test/server/transport.test.ts does for the first two;
 * an openssl built without SSL 3.0 does not know `-ssl3`.
 */
export async function sClientChecks(rig: TransportRig): Promise<ProtocolRow[]> {
  const rows: ProtocolRow[] = [];
  for (const [name, flag] of [
    ['TLS 1.0', '-tls1'],
    ['TLS 1.1', '-tls1_1'],
    ['SSL 3.0', '-ssl3'],
  ] as const) {
    const control = await sClient(rig.lax.port, flag);
    const result = await sClient(rig.ecdsa.server.port, flag);
    const cell = (run: typeof result): string =>
      run.unknownFlag
        ? `not offered: this openssl has no ${flag}`
        : run.status === 0
          ? 'accepted'
          : `refused (alert ${run.alert ?? 'none'})`;
    rows.push({
      probe: `${name}, openssl s_client ${flag}`,
      control: cell(control),
      vault: cell(result),
      held:
        result.status !== 0 &&
        (control.unknownFlag ? result.unknownFlag : control.status === 0),
    });
  }
  return rows;
}

/** currentProtocolChecks checks that TLS 1.2 and TLS 1.3 do work. */
export async function currentProtocolChecks(
  rig: TransportRig,
): Promise<ProtocolRow[]> {
  const rows: ProtocolRow[] = [];
  for (const [name, options] of [
    ['TLS 1.2', { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' }],
    ['TLS 1.3', { minVersion: 'TLSv1.3' }],
  ] as const) {
    const result = await handshake(rig.ecdsa.server.port, options);
    rows.push({
      probe: `${name}, Node client`,
      control: '',
      vault: describeHandshake(result),
      held: result.kind === 'accepted',
    });
  }
  return rows;
}

/** FamilyRow is one weak family offered to the control and the vault. */
export interface FamilyRow {
  readonly family: string;
  readonly control: Handshake;
  readonly ecdsa: Handshake;
  readonly rsa: Handshake;
  /** The vault agreed to none of it, with either certificate. */
  readonly held: boolean;
}

/** familyChecks offers each weak family alone. */
export async function familyChecks(rig: TransportRig): Promise<FamilyRow[]> {
  const rows: FamilyRow[] = [];
  for (const { family, ciphers, tls13 } of WEAK_FAMILIES) {
    const options = offer(ciphers, tls13);
    const control = await handshake(rig.lax.port, options);
    const ecdsa = await handshake(rig.ecdsa.server.port, options);
    const rsa = await handshake(rig.rsa.server.port, options);
    rows.push({
      family,
      control,
      ecdsa,
      rsa,
      held: ecdsa.kind !== 'accepted' && rsa.kind !== 'accepted',
    });
  }
  return rows;
}

/** SuiteReport is every known suite offered alone. */
export interface SuiteReport {
  readonly known: number;
  /** Suites the local client could not offer at all. */
  readonly notOffered: number;
  readonly control: readonly string[];
  readonly ecdsa: readonly Suite[];
  readonly rsa: readonly Suite[];
  /** Only strong suites were agreed to, and some with each certificate. */
  readonly held: boolean;
}

// Handshakes at once: enough to be quick, few enough to stay polite.
const PARALLEL = 8;

async function inPool<T, R>(
  items: readonly T[],
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let at = next++; at < items.length; at = next++) {
      const item = items[at];
      if (item !== undefined) results[at] = await work(item);
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  return results;
}

/** suiteChecks offers every suite the local OpenSSL knows, one at a time. */
export async function suiteChecks(rig: TransportRig): Promise<SuiteReport> {
  const suites = await knownSuites();
  const tried = await inPool(suites, async (suite) => {
    const options = offer(suite.name, suite.version === 'TLSv1.3');
    return {
      suite,
      control: await handshake(rig.lax.port, options),
      ecdsa: await handshake(rig.ecdsa.server.port, options),
      rsa: await handshake(rig.rsa.server.port, options),
    };
  });
  const accepted = (pick: (t: (typeof tried)[number]) => Handshake): Suite[] =>
    tried.filter((t) => pick(t).kind === 'accepted').map((t) => t.suite);
  const ecdsa = accepted((t) => t.ecdsa);
  const rsa = accepted((t) => t.rsa);
  return {
    known: suites.length,
    notOffered: tried.filter((t) => t.control.kind === 'not offered').length,
    control: accepted((t) => t.control).map((s) => s.name),
    ecdsa,
    rsa,
    held:
      ecdsa.length > 0 && rsa.length > 0 && [...ecdsa, ...rsa].every(isStrong),
  };
}
