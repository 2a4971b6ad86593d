// One HTTPS request for the abuse probes, sent from a chosen loopback
// address when asked (the rate limits count per address), answered as
// status, error code and Retry-After, and never parsed beyond that.
import type { IncomingHttpHeaders } from 'node:http';
import { request } from 'node:https';

import { testCaPem } from '../fixtures/tls-files.js';

/** AbuseRequest is one request, its body given as a JSON value. */
export interface AbuseRequest {
  readonly method: string;
  readonly path: string;
  readonly json?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  /** The address to connect from, such as `127.0.0.2`. */
  readonly from?: string;
}

/** Answer is what the probes look at in a reply. */
export interface Answer {
  readonly status: number;
  /** The JSON body's `code`, or '' when there is none. */
  readonly code: string;
  /** The Retry-After header in seconds, or undefined. */
  readonly retryAfter: number | undefined;
  readonly headers: IncomingHttpHeaders;
  /** The JSON body, or undefined. */
  readonly body: unknown;
}

/** send makes one request to base + req.path, trusting the fixture CA. */
export function send(base: string, req: AbuseRequest): Promise<Answer> {
  const body = req.json === undefined ? undefined : JSON.stringify(req.json);
  const headers: Record<string, string> = { ...req.headers };
  if (body !== undefined) {
    headers['content-type'] ??= 'application/json';
    headers['content-length'] = String(Buffer.byteLength(body));
  }
  return new Promise((resolve, reject) => {
    const outgoing = request(
      base + req.path,
      {
        method: req.method,
        headers,
        ca: testCaPem(),
        agent: false,
        ...(req.from === undefined ? {} : { localAddress: req.from }),
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('error', reject);
        res.on('end', () => {
          resolve(answerOf(res.statusCode ?? 0, res.headers, text));
        });
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

function answerOf(
  status: number,
  headers: IncomingHttpHeaders,
  text: string,
): Answer {
  let parsed: unknown = undefined;
  if (String(headers['content-type']).includes('json') && text !== '') {
    parsed = JSON.parse(text) as unknown;
  }
  const code = (parsed as { code?: unknown } | undefined)?.code;
  const retry = headers['retry-after'];
  return {
    status,
    code: typeof code === 'string' ? code : '',
    retryAfter: retry === undefined ? undefined : Number(retry),
    headers,
    body: parsed,
  };
}

/** countBy tallies values, for reports: `{ "401": 5, "429": 35 }`. */
export function countBy<T>(
  items: readonly T[],
  key: (item: T) => string,
): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) {
    const name = key(item);
    counts[name] = (counts[name] ?? 0) + 1;
  }
  return counts;
}
