// What a server process listens on, read from /proc, and what a plain
// HTTP request to its HTTPS port gets back, byte for byte.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { connect } from 'node:net';

/** Endpoint is an address and port a socket is bound to. */
export interface BoundAddress {
  readonly address: string;
  readonly port: number;
}

/** ProcessSockets are the sockets a process holds that others could reach. */
export interface ProcessSockets {
  /** TCP sockets in the LISTEN state, IPv4 and IPv6. */
  readonly listening: readonly BoundAddress[];
  /** UDP sockets of any state. */
  readonly udp: readonly BoundAddress[];
  /** Unix-domain sockets that accept connections, by path. */
  readonly unixListening: readonly string[];
}

// /proc/net/tcp writes an IPv4 address as one little-endian word, IPv6
// as four; both in hex, then the port in hex.
function decodeAddress(hex: string): BoundAddress {
  const [address = '', port = '0'] = hex.split(':');
  const bytes = Buffer.from(address, 'hex');
  let text: string;
  if (bytes.length === 4) {
    text = [...bytes].reverse().join('.');
  } else {
    const words: string[] = [];
    for (let i = 0; i < 16; i += 4) {
      const word = Buffer.from(bytes.subarray(i, i + 4)).reverse();
      words.push(word.toString('hex').replace(/(.{4})(?!$)/, '$1:'));
    }
    text = words.join(':');
  }
  return { address: text, port: Number.parseInt(port, 16) };
}

function rows(path: string): string[][] {
  try {
    return readFileSync(path, 'utf8')
      .split('\n')
      .slice(1)
      .map((line) => line.trim().split(/\s+/))
      .filter((fields) => fields.length > 9);
  } catch {
    return [];
  }
}

// TCP state 0A is LISTEN; the inode is the tenth column.
const LISTEN = '0A';

/**
 * socketsOf lists the sockets of process pid that another process could
 * reach: TCP listeners, UDP sockets and listening unix sockets. Linux
 * only, from /proc/<pid>/fd and /proc/<pid>/net.
 */
export function socketsOf(pid: number): ProcessSockets {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${String(pid)}/fd`)) {
    try {
      const target = readlinkSync(`/proc/${String(pid)}/fd/${fd}`);
      const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
      if (inode !== undefined) inodes.add(inode);
    } catch {
      // The descriptor closed while the directory was read.
    }
  }
  const net = `/proc/${String(pid)}/net`;
  const mine = (fields: string[]): boolean => inodes.has(fields[9] ?? '');
  const listening = [...rows(`${net}/tcp`), ...rows(`${net}/tcp6`)]
    .filter((fields) => fields[3] === LISTEN && mine(fields))
    .map((fields) => decodeAddress(fields[1] ?? ''));
  const udp = [...rows(`${net}/udp`), ...rows(`${net}/udp6`)]
    .filter(mine)
    .map((fields) => decodeAddress(fields[1] ?? ''));
  // Unix rows: Num RefCount Protocol Flags Type St Inode Path; flag
  // 0x10000 is __SO_ACCEPTCON, a listening socket.
  const unixListening = readFileSync(`${net}/unix`, 'utf8')
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter(
      (f) =>
        inodes.has(f[6] ?? '') &&
        (Number.parseInt(f[3] ?? '0', 16) & 0x10000) !== 0,
    )
    .map((f) => f[7] ?? '(unnamed)');
  return { listening, udp, unixListening };
}

/** PlainReply is what plain HTTP to a TLS port got back. */
export interface PlainReply {
  /** Every byte the server sent before the connection ended. */
  readonly bytes: Buffer;
  /** How it ended: closed, or reset (ECONNRESET). */
  readonly ended: string;
}

/** plainHttp sends a plain HTTP/1.1 request to port and reads to the end. */
export function plainHttp(
  port: number,
  timeoutMs = 10_000,
): Promise<PlainReply> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let settled = false;
    const settle = (ended: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ bytes: Buffer.concat(chunks), ended });
    };
    const socket = connect(port, '127.0.0.1', () => {
      socket.write('GET /v1/status HTTP/1.1\r\nHost: localhost\r\n\r\n');
    });
    const timer = setTimeout(() => {
      settle('still open after the deadline');
    }, timeoutMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      settle(err.code === 'ECONNRESET' ? 'reset' : (err.code ?? err.message));
    });
    socket.on('close', () => {
      settle('closed');
    });
  });
}

/** describePlain says in words what plain HTTP got, for the report. */
export function describePlain(reply: PlainReply): string {
  const { bytes } = reply;
  if (bytes.length === 0) return `no bytes, connection ${reply.ended}`;
  // A TLS record starts with its type: 0x15 is an alert.
  const what = bytes[0] === 0x15 ? 'a TLS alert' : 'bytes';
  const start = bytes.subarray(0, 8).toString('hex');
  return (
    `${what} (${String(bytes.length)} bytes: ${start}), ` +
    `connection ${reply.ended}`
  );
}
