// Sends fuzz cases to the server and says what came back: over a pool of
// kept-alive HTTPS connections for API cases, over a socket of its own
// for raw bytes, each with a deadline so a hang is seen as one.
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import { Agent, request } from 'node:https';
import { connect } from 'node:tls';

import { testCaPem } from '../fixtures/tls-files.js';
import type { ApiCase, FuzzCase, RawCase, Who } from './fuzz-case.js';
import { authorizationOf } from './fuzz-credentials.js';

/** Outcome is what one request came to. */
export type Outcome =
  | {
      readonly kind: 'reply';
      readonly status: number;
      readonly headers: IncomingHttpHeaders;
      readonly text: string;
    }
  /** The server closed the connection without answering. */
  | { readonly kind: 'closed' }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'error'; readonly code: string };

// Errors of a kept-alive socket the server had closed just before it
// was reused: the request never reached the server, so it is sent again
// once on a fresh connection (as Node's documentation advises).
const STALE = new Set(['ECONNRESET', 'EPIPE']);

/** FuzzClient sends cases to one server with the tokens of admin and alice. */
export class FuzzClient {
  readonly #origin: URL;
  readonly #tokens: Readonly<Record<Who, string>>;
  readonly #timeoutMs: number;
  readonly #ca = testCaPem();
  readonly #agent: Agent;

  constructor(
    url: string,
    tokens: Readonly<Record<Who, string>>,
    timeoutMs: number,
  ) {
    this.#origin = new URL(url);
    this.#tokens = tokens;
    this.#timeoutMs = timeoutMs;
    this.#agent = new Agent({ keepAlive: true, maxSockets: 16, ca: this.#ca });
  }

  /** send sends one case and waits for its outcome, up to the deadline. */
  async send(fuzzCase: FuzzCase): Promise<Outcome> {
    if (fuzzCase.kind === 'raw') return this.#sendRaw(fuzzCase);
    const first = await this.#sendApi(fuzzCase);
    if (first.kind === 'error' && first.reused && STALE.has(first.code)) {
      return this.#sendApi(fuzzCase);
    }
    return first;
  }

  /** status asks GET /v1/status, as a liveness check between batches. */
  async status(): Promise<Outcome> {
    return this.#sendApi({
      kind: 'api',
      group: 'alive',
      endpoint: 'GET /v1/status',
      defect: '',
      method: 'GET',
      path: '/v1/status',
      credential: { kind: 'none' },
      headers: {},
      codes: [],
    });
  }

  /** close drops the kept-alive connections. */
  close(): void {
    this.#agent.destroy();
  }

  #sendApi(fuzzCase: ApiCase): Promise<Outcome & { reused?: boolean }> {
    const headers: OutgoingHttpHeaders = { ...fuzzCase.headers };
    const authorization = authorizationOf(fuzzCase.credential, this.#tokens);
    // Node's typings allow one Authorization line; it sends a list as
    // one line each all the same.
    if (authorization.length > 0) {
      (headers as Record<string, string | string[]>).authorization =
        authorization.length === 1 ? (authorization[0] ?? '') : authorization;
    }
    const body =
      fuzzCase.body === undefined ? undefined : Buffer.from(fuzzCase.body);
    if (body !== undefined && fuzzCase.chunked === true) {
      headers['transfer-encoding'] = 'chunked';
    } else if (body !== undefined) {
      headers['content-length'] = String(body.length);
    }

    return new Promise((resolve) => {
      let settled = false;
      const settle = (outcome: Outcome, reused = false): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({ ...outcome, reused });
      };
      // The path goes as it is: a URL object would resolve `.` and `..`.
      const req = request(
        {
          host: this.#origin.hostname,
          port: this.#origin.port,
          path: fuzzCase.path,
          method: fuzzCase.method,
          headers,
          agent: this.#agent,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            settle({
              kind: 'reply',
              status: res.statusCode ?? 0,
              headers: res.headers,
              text: Buffer.concat(chunks).toString('utf8'),
            });
          });
          res.on('error', () => {
            settle({ kind: 'closed' });
          });
        },
      );
      const timer = setTimeout(() => {
        settle({ kind: 'timeout' });
        req.destroy();
      }, this.#timeoutMs);
      req.on('error', (err: NodeJS.ErrnoException) => {
        settle(
          { kind: 'error', code: err.code ?? err.message },
          req.reusedSocket,
        );
      });
      if (body === undefined) {
        req.end();
      } else if (fuzzCase.chunked === true) {
        // Two chunks, so the size limit is met while the body streams.
        const half = Math.floor(body.length / 2);
        req.write(body.subarray(0, half));
        req.end(body.subarray(half));
      } else {
        req.end(body);
      }
    });
  }

  #sendRaw(fuzzCase: RawCase): Promise<Outcome> {
    return new Promise((resolve) => {
      const chunks: Buffer[] = [];
      let settled = false;
      const settle = (outcome: Outcome): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        socket.destroy();
        resolve(outcome);
      };
      const socket = connect(
        {
          host: this.#origin.hostname,
          port: Number(this.#origin.port),
          servername: 'localhost',
          ca: this.#ca,
        },
        () => {
          socket.write(Buffer.from(fuzzCase.bytes, 'latin1'));
        },
      );
      const timer = setTimeout(() => {
        settle({ kind: 'timeout' });
      }, this.#timeoutMs);
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      // The server may reset the connection after its answer: what it
      // sent before counts.
      socket.on('error', () => {
        settle(parseRaw(Buffer.concat(chunks)));
      });
      socket.on('close', () => {
        settle(parseRaw(Buffer.concat(chunks)));
      });
    });
  }
}

/** parseRaw reads the first HTTP/1.1 reply out of bytes from a socket. */
export function parseRaw(bytes: Buffer): Outcome {
  if (bytes.length === 0) return { kind: 'closed' };
  const text = bytes.toString('latin1');
  const end = text.indexOf('\r\n\r\n');
  const head = end < 0 ? text : text.slice(0, end);
  const [statusLine = '', ...lines] = head.split('\r\n');
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1];
  if (status === undefined) return { kind: 'error', code: 'not HTTP' };
  const headers: IncomingHttpHeaders = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) {
      headers[line.slice(0, colon).trim().toLowerCase()] = line
        .slice(colon + 1)
        .trim();
    }
  }
  let body = end < 0 ? '' : text.slice(end + 4);
  // A 100 Continue comes before the real reply.
  if (status === '100') return parseRaw(Buffer.from(body, 'latin1'));
  const length = Number(headers['content-length'] ?? body.length);
  body = body.slice(0, length);
  return {
    kind: 'reply',
    status: Number(status),
    headers,
    text: Buffer.from(body, 'latin1').toString('utf8'),
  };
}
