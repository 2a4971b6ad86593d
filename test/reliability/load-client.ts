// A keep-alive HTTPS client for the load parts: many timed calls over a
// few reused connections, none retried, so every failure is counted.
import { Agent, request } from 'node:https';
import { performance } from 'node:perf_hooks';

import { testCaPem } from '../fixtures/tls-files.js';

/** LoadReply is one answered call: status, parsed body, and how long. */
export interface LoadReply {
  readonly status: number;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  readonly body: unknown;
  readonly text: string;
  /** Milliseconds from sending the request to the last byte of reply. */
  readonly ms: number;
}

/** LoadCallOptions describe one call's body and token. */
export interface LoadCallOptions {
  readonly json?: unknown;
  readonly token?: string;
}

// A call that gets no reply in this long is a failure, not a hang: the
// loops that use this client must stop by themselves.
const CALL_TIMEOUT_MS = 30_000;

// An idle kept connection is dropped after this long, a second before
// the server's keep-alive timeout (5 s) closes it, so no call is sent on
// a connection the server is closing at that moment (an ECONNRESET
// that says nothing about the vault). Node 20's agent shortens its idle
// timeout to the server's `Keep-Alive: timeout=5` hint less a second,
// but only when it has a timeout of its own: without one, idle sockets
// stay open until the server closes them.
const IDLE_TIMEOUT_MS = 4_000;

/**
 * LoadClient sends calls to one server over at most maxSockets kept-alive
 * connections. A fresh TLS handshake per call (as the tests' one-shot
 * httpsRequest does) would measure handshakes rather than the vault, and
 * production clients keep their connections.
 */
export class LoadClient {
  readonly #base: string;
  readonly #agent: Agent;
  readonly #ca = testCaPem();

  constructor(base: string, maxSockets: number) {
    this.#base = base;
    this.#agent = new Agent({
      keepAlive: true,
      maxSockets,
      timeout: IDLE_TIMEOUT_MS,
    });
  }

  /**
   * call makes one request. It rejects on a transport failure (reset,
   * refused, timed out); any HTTP status resolves.
   */
  call(
    method: string,
    path: string,
    options: LoadCallOptions = {},
  ): Promise<LoadReply> {
    const headers: Record<string, string> = {};
    if (options.token !== undefined) {
      headers.authorization = `Bearer ${options.token}`;
    }
    let body: string | undefined;
    if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(Buffer.byteLength(body));
    }

    const started = performance.now();
    return new Promise((resolve, reject) => {
      const req = request(
        this.#base + path,
        { method, headers, agent: this.#agent, ca: this.#ca },
        (res) => {
          let text = '';
          res.setEncoding('utf8').on('data', (chunk: string) => {
            text += chunk;
          });
          res.on('end', () => {
            resolve({
              status: res.statusCode ?? 0,
              body: parseJson(text),
              text,
              ms: performance.now() - started,
            });
          });
          res.on('error', reject);
        },
      );
      req.setTimeout(CALL_TIMEOUT_MS, () => {
        req.destroy(new Error(`no reply in ${String(CALL_TIMEOUT_MS)} ms`));
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  /** close ends every kept connection. */
  close(): void {
    this.#agent.destroy();
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** failureOf describes a rejected call by its error code, never a body. */
export function failureOf(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    return code ?? err.message;
  }
  return String(err);
}

/** codeOf is the `code` of an error reply's body, if it has one. */
export function codeOf(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const code = (body as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}
