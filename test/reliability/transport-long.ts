// Transport, the long part: every check of transport.test.ts and of
// test/server/transport.test.ts's protocol probes, run once, as tables of
// what was offered and what the vault made of it.
import { runProcess } from '../db/scratch.js';
import type { LongPart, PartReport } from './long-part.js';
import {
  currentProtocolChecks,
  describeHandshake,
  familyChecks,
  oldProtocolChecks,
  sClientChecks,
  suiteChecks,
} from './transport-handshakes.js';
import { headerChecks, plainCheck, portCheck } from './transport-replies.js';
import { startTransportRig } from './transport-rig.js';

function table(
  head: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  return [
    `| ${head.join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ].join('\n');
}

const mark = (held: boolean): string => (held ? 'held' : '**not held**');

async function run(): Promise<PartReport> {
  const openssl = (await runProcess('openssl', ['version'])).stdout.trim();
  const rig = await startTransportRig();
  try {
    // Step 1: every check, one after another.
    const protocols = [
      ...(await oldProtocolChecks(rig)),
      ...(await sClientChecks(rig)),
      ...(await currentProtocolChecks(rig)),
    ];
    const families = await familyChecks(rig);
    const suites = await suiteChecks(rig);
    const headers = await headerChecks(rig);
    const plain = await plainCheck(rig);
    const ports = await portCheck();

    // Step 2: the verdict.
    const headersHeld = headers.every(
      (r) => r.status === r.expected && r.problems.length === 0,
    );
    const familiesOffered = families.filter(
      (r) => r.control.kind === 'accepted',
    ).length;
    const ok =
      protocols.every((r) => r.held) &&
      families.every((r) => r.held) &&
      suites.held &&
      headersHeld &&
      plain.held &&
      ports.held;

    // Step 3: the tables.
    const names = (list: readonly { name: string }[]): string =>
      list.map((s) => `\`${s.name}\``).join(', ');
    const listening = ports.sockets.listening
      .map((s) => `${s.address}:${String(s.port)}`)
      .join(', ');
    const markdown = [
      `Node ${process.version} with OpenSSL ${process.versions.openssl}; ` +
        `${openssl} for s_client. The control is a TLS server that accepts ` +
        'TLS 1.0 up and every suite at security level 0, with the same ECDSA ' +
        'certificate and an RSA one.',
      '',
      table(
        ['protocol offered', 'lax control', 'Metacrypt', ''],
        protocols.map((r) => [r.probe, r.control, r.vault, mark(r.held)]),
      ),
      '',
      table(
        [
          'suites offered alone',
          'lax control',
          'Metacrypt, ECDSA certificate',
          'Metacrypt, RSA certificate',
          '',
        ],
        families.map((r) => [
          r.family,
          describeHandshake(r.control),
          describeHandshake(r.ecdsa),
          describeHandshake(r.rsa),
          mark(r.held),
        ]),
      ),
      '',
      `Every one of the ${String(suites.known)} suites this OpenSSL knows, ` +
        `offered alone: the control agreed to ${String(suites.control.length)} ` +
        `(${String(suites.notOffered)} could not be offered by the client at ` +
        `all), Metacrypt to these with the ECDSA certificate: ` +
        `${names(suites.ecdsa)}; with the RSA one: ${names(suites.rsa)}. ` +
        `Only ECDHE with AES-GCM or ChaCha20-Poly1305, and TLS 1.3's GCM and ` +
        `ChaCha20 suites: ${mark(suites.held)}.`,
      '',
      table(
        ['reply', 'status', 'security headers'],
        headers.map((r) => [
          r.reply,
          String(r.status),
          r.problems.length === 0 && r.status === r.expected
            ? 'HSTS, nosniff, CSP, frame options; no X-Powered-By'
            : `**${r.problems.join('; ') || `expected ${String(r.expected)}`}**`,
        ]),
      ),
      '',
      `- Plain HTTP to the HTTPS port got ${plain.described}: ${mark(plain.held)}.`,
      `- \`metacrypt server\` on 127.0.0.1, port ${String(ports.configured)}: ` +
        `listening on ${listening || 'nothing'}; UDP sockets ` +
        `${String(ports.sockets.udp.length)}, listening unix sockets ` +
        `${String(ports.sockets.unixListening.length)}: ${mark(ports.held)}.`,
    ].join('\n');
    return {
      ok,
      markdown,
      figures: {
        protocols_refused: protocols.filter((r) => r.held).length,
        families: families.length,
        families_offered: familiesOffered,
        families_refused: families.filter((r) => r.held).length,
        suites_known: suites.known,
        suites_control: suites.control.length,
        suites_ecdsa: suites.ecdsa.length,
        suites_rsa: suites.rsa.length,
        header_replies: headers.length,
        headers_held: headersHeld,
        plain_http: plain.described,
        listeners: ports.sockets.listening.length,
      },
    };
  } finally {
    await rig.close();
  }
}

/** TRANSPORT_PART is part 6 of docs/RELIABILITY.md, transport. */
export const TRANSPORT_PART: LongPart = {
  id: 'transport',
  title: '6. Transport',
  run,
};
