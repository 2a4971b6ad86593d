// Starts the MCIAS-compatible development identity server: HTTPS on a
// loopback port by default, users from a file or a list, tokens in memory.
import { createServer } from 'node:https';
import type { Server } from 'node:https';
import type { AddressInfo } from 'node:net';

import { MetacryptError } from '../errors/index.js';
import type { Logger } from '../log/index.js';
import { Accounts } from './accounts.js';
import { handleRequest, pathOf } from './routes.js';
import type { RouteContext } from './routes.js';
import { TokenIssuer } from './token-issuer.js';
import { loadUsersFile, parseUsers } from './users-file.js';
import type { DevUser, DevUserEntry } from './users-file.js';

/** DEFAULT_TOKEN_TTL_SECONDS is how long a token lives unless told. */
export const DEFAULT_TOKEN_TTL_SECONDS = 3600;

/** DevIdentityUsers says where the users come from: a list or a file. */
export type DevIdentityUsers =
  | { readonly users: readonly DevUserEntry[]; readonly usersFile?: never }
  | { readonly usersFile: string; readonly users?: never };

/** DevIdentityServerOptions configure startDevIdentityServer. */
export type DevIdentityServerOptions = DevIdentityUsers & {
  /** Must be true: the server is for development and tests only. */
  readonly development: true;
  /** The server's certificate chain, PEM. */
  readonly tlsCert: string;
  /** The server's private key, PEM. */
  readonly tlsKey: string;
  /** Address to listen on; 127.0.0.1 unless told. */
  readonly host?: string;
  /** Port to listen on; 0 (any free port) unless told. */
  readonly port?: number;
  readonly tokenTtlSeconds?: number;
  readonly logger?: Logger;
};

/** DevIdentityServer is a running server. */
export interface DevIdentityServer {
  /** Base URL, such as `https://127.0.0.1:40123`. */
  readonly url: string;
  /** close stops listening and drops open connections. */
  close(): Promise<void>;
}

const MAX_TOKEN_TTL_SECONDS = 366 * 24 * 3600;
const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

const SILENT: Logger = {
  error: () => undefined,
  warn: () => undefined,
  info: () => undefined,
  debug: () => undefined,
  child: () => SILENT,
};

/**
 * startDevIdentityServer starts the server and resolves once it listens.
 * It refuses unless options.development is true. Errors are MetacryptErrors
 * (`config_invalid`, or the users file's `config_read`/`config_parse`)
 * whose message starts `dev identity server:`.
 */
export async function startDevIdentityServer(
  options: DevIdentityServerOptions,
): Promise<DevIdentityServer> {
  // Step 1: the options, checked at run time too for callers in plain JS.
  if ((options.development as unknown) !== true) {
    throw startError(
      'refusing to start without development: true; ' +
        'it is for development and tests only',
    );
  }
  const ttlSeconds = options.tokenTtlSeconds ?? DEFAULT_TOKEN_TTL_SECONDS;
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1) {
    throw startError('token TTL must be a whole number of seconds, at least 1');
  }
  if (ttlSeconds > MAX_TOKEN_TTL_SECONDS) {
    throw startError(`token TTL must be at most ${MAX_TOKEN_TTL_SECONDS} s`);
  }
  const users = loadUsers(options);

  // Step 2: what the handlers need.
  const logger = options.logger ?? SILENT;
  const context: RouteContext = {
    accounts: await Accounts.create(users),
    issuer: new TokenIssuer({ ttlSeconds }),
    logger,
  };

  // Step 3: the HTTPS server.
  const server = makeServer(options, context);
  const host = options.host ?? '127.0.0.1';
  await listen(server, host, options.port ?? 0);
  const { port } = server.address() as AddressInfo;
  const url = `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
  if (!LOOPBACK.has(host)) {
    logger.warn('dev identity server is reachable beyond this host', { host });
  }
  logger.info('dev identity server started', {
    url,
    users: context.accounts.size,
    token_ttl_seconds: ttlSeconds,
  });

  return { url, close: () => close(server) };
}

function loadUsers(options: DevIdentityUsers): DevUser[] {
  // The type allows exactly one; a caller in plain JS may give both.
  const given: { users?: readonly DevUserEntry[]; usersFile?: string } =
    options;
  if (given.users !== undefined && given.usersFile !== undefined) {
    throw startError('give users or usersFile, not both');
  }
  if (given.usersFile !== undefined) return loadUsersFile(given.usersFile);
  if (given.users !== undefined) return parseUsers(given.users);
  throw startError('users or usersFile is required');
}

function makeServer(
  options: DevIdentityServerOptions,
  context: RouteContext,
): Server {
  let server: Server;
  try {
    server = createServer({ cert: options.tlsCert, key: options.tlsKey });
  } catch {
    // OpenSSL's reason is a code like "DECODER routines::unsupported";
    // which file is wrong is what the operator needs.
    throw startError('tls: the certificate or key is not usable PEM');
  }

  server.on('request', (req, res) => {
    res.on('finish', () => {
      context.logger.debug('request', {
        method: req.method,
        path: pathOf(req),
        status: res.statusCode,
      });
    });
    handleRequest(req, res, context).catch((err: unknown) => {
      context.logger.error('request failed', { err });
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json' });
      }
      res.end('{"error":"internal error"}');
    });
  });
  return server;
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      const reason =
        err.code === 'EADDRINUSE'
          ? 'address in use'
          : err.code === 'EACCES'
            ? 'permission denied'
            : (err.code?.toLowerCase() ?? 'failed');
      reject(startError(`listen ${host}:${port}: ${reason}`));
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => {
      resolve();
    });
    // Keep-alive connections would otherwise hold close() open.
    server.closeAllConnections();
  });
}

function startError(detail: string): MetacryptError {
  return new MetacryptError('config_invalid', `dev identity server: ${detail}`);
}
