// Starts the HTTPS server on the configured address and stops it in an
// orderly way: no new connections, in-flight requests given time to end.
import { createServer } from 'node:https';
import type { Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { RequestListener } from 'node:http';

import { errnoReason, ServerError } from '../errors/index.js';
import type { TlsSettings } from './tls-settings.js';

/** Listener is a started HTTPS server. */
export interface Listener {
  readonly server: Server;
  /** The URL clients reach it at, e.g. `https://127.0.0.1:8443`. */
  readonly url: string;
  readonly port: number;
  /**
   * close stops accepting connections, lets requests under way finish
   * for up to graceMs, then drops whatever is left.
   */
  close(graceMs?: number): Promise<void>;
}

/** ListenAddress is a listen_addr split into host and port. */
export interface ListenAddress {
  /** undefined listens on every address. */
  readonly host: string | undefined;
  readonly port: number;
}

/** parseListenAddr splits `host:port`, `[v6]:port` or `:port`. */
export function parseListenAddr(addr: string): ListenAddress {
  const at = addr.lastIndexOf(':');
  let host = addr.slice(0, at);
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  return {
    host: host === '' ? undefined : host,
    port: Number(addr.slice(at + 1)),
  };
}

const DEFAULT_GRACE_MS = 10_000;

/**
 * listen serves handler over HTTPS on addr. It resolves once the port is
 * bound, or rejects with `server: listen <addr>: <reason>`.
 */
export function listen(
  handler: RequestListener,
  tls: TlsSettings,
  addr: string,
): Promise<Listener> {
  const { host, port } = parseListenAddr(addr);
  const server = createServer({ ...tls }, handler);
  // Slow clients must not hold connections open for ever.
  server.headersTimeout = 20_000;
  server.requestTimeout = 60_000;
  server.keepAliveTimeout = 5_000;

  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => {
      reject(
        new ServerError(
          'server_listen',
          `listen ${addr}: ${errnoReason(err) ?? 'failed'}`,
          { cause: err },
        ),
      );
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      const bound = server.address() as AddressInfo;
      const shown =
        host === undefined
          ? 'localhost'
          : host.includes(':')
            ? `[${host}]`
            : host;
      resolve({
        server,
        url: `https://${shown}:${String(bound.port)}`,
        port: bound.port,
        close: (graceMs = DEFAULT_GRACE_MS) => closeServer(server, graceMs),
      });
    });
  });
}

function closeServer(server: Server, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      server.closeAllConnections();
    }, graceMs);
    timer.unref();
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    server.closeIdleConnections();
  });
}
