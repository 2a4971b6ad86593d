// One JSON request over HTTPS, for the MCIAS client and the CLI: a
// private CA, one timeout over the exchange, a cap on the reply's size.
import type { IncomingHttpHeaders } from 'node:http';
import { request } from 'node:https';
import type { RequestOptions } from 'node:https';

import { describeTimeout, failureReason } from './failure-reason.js';

/** DEFAULT_TIMEOUT_MS bounds a whole exchange: connect, TLS, reply. */
export const DEFAULT_TIMEOUT_MS = 10_000;

/** DEFAULT_MAX_REPLY_BYTES caps a reply body; JSON answers are small. */
export const DEFAULT_MAX_REPLY_BYTES = 64 * 1024;

/** HttpsJsonRequest describes one request. */
export interface HttpsJsonRequest {
  readonly url: URL;
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Sent as JSON when given. */
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  /** CA certificates (PEM) to trust instead of the system's. */
  readonly caPem?: string;
  readonly timeoutMs?: number;
  readonly maxReplyBytes?: number;
}

/**
 * HttpsJsonResult is an answer (any status; body is the parsed JSON, or
 * undefined when the body is empty or not JSON) or the reason there was
 * none, such as `connection refused` or `timed out after 10 s`.
 */
export type HttpsJsonResult =
  | {
      readonly ok: true;
      readonly status: number;
      readonly headers: IncomingHttpHeaders;
      readonly body: unknown;
    }
  | { readonly ok: false; readonly reason: string };

/**
 * httpsJson makes the request and resolves with its result; it never
 * rejects. Each request has its own connection (no pooling), so an idle
 * socket the server has just closed can never fail a call.
 */
export function httpsJson(req: HttpsJsonRequest): Promise<HttpsJsonResult> {
  const timeoutMs = req.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxReplyBytes = req.maxReplyBytes ?? DEFAULT_MAX_REPLY_BYTES;
  const payload = req.body === undefined ? undefined : JSON.stringify(req.body);
  const options: RequestOptions = {
    method: req.method,
    agent: false,
    headers: {
      accept: 'application/json',
      ...(payload === undefined
        ? {}
        : {
            'content-type': 'application/json',
            'content-length': String(Buffer.byteLength(payload)),
          }),
      ...req.headers,
    },
    ...(req.caPem === undefined ? {} : { ca: req.caPem }),
  };

  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: HttpsJsonResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };

    const outgoing = request(req.url, options, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxReplyBytes) {
          finish({ ok: false, reason: 'reply too large' });
          outgoing.destroy();
          return;
        }
        chunks.push(chunk);
      });
      res.on('end', () => {
        finish({
          ok: true,
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: parseJson(Buffer.concat(chunks)),
        });
      });
      res.on('error', (err) => {
        finish({ ok: false, reason: failureReason(err) });
      });
    });

    // One timer for the whole exchange: a server that accepts and then
    // trickles bytes must not hold a caller longer than a silent one.
    const timer = setTimeout(() => {
      finish({
        ok: false,
        reason: `timed out after ${describeTimeout(timeoutMs)}`,
      });
      outgoing.destroy();
    }, timeoutMs);

    outgoing.on('error', (err) => {
      finish({ ok: false, reason: failureReason(err) });
    });
    outgoing.end(payload);
  });
}

function parseJson(bytes: Buffer): unknown {
  if (bytes.length === 0) return undefined;
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
}
