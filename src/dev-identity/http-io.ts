// Request bodies in and JSON replies out for the dev identity server, with
// the body size limit applied while reading.
import type { IncomingMessage, ServerResponse } from 'node:http';

/** MAX_BODY_BYTES is the largest request body the server reads (64 KiB). */
export const MAX_BODY_BYTES = 64 * 1024;

/** BodyResult is a parsed JSON body, or the reply to send instead. */
export type BodyResult =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly status: 400 | 413; readonly error: string };

/**
 * readJsonBody reads and parses a request's JSON body. A body over limit
 * is refused as soon as its declared or received size passes it, and the
 * rest is read and dropped so the client can still see the reply.
 */
export function readJsonBody(
  req: IncomingMessage,
  limit = MAX_BODY_BYTES,
): Promise<BodyResult> {
  return new Promise((resolve) => {
    const tooLarge: BodyResult = {
      ok: false,
      status: 413,
      error: 'request too large',
    };
    if (Number(req.headers['content-length'] ?? 0) > limit) {
      req.resume();
      resolve(tooLarge);
      return;
    }

    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit && !refused) {
        refused = true;
        chunks.length = 0;
        resolve(tooLarge);
      }
      if (!refused) chunks.push(chunk);
    });
    req.on('end', () => {
      if (!refused) resolve(parseBody(Buffer.concat(chunks)));
    });
    req.on('error', () => {
      resolve({ ok: false, status: 400, error: 'request body incomplete' });
    });
  });
}

/** sendJson answers with status and body as JSON, never to be cached. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    'cache-control': 'no-store',
  });
  res.end(text);
}

/** sendEmpty answers with status and no body (204). */
export function sendEmpty(res: ServerResponse, status: number): void {
  res.writeHead(status, { 'cache-control': 'no-store' });
  res.end();
}

function parseBody(bytes: Buffer): BodyResult {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch {
    // The parser's message quotes the body, which may hold a password.
    return { ok: false, status: 400, error: 'malformed JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, status: 400, error: 'body must be a JSON object' };
  }
  return { ok: true, value };
}
