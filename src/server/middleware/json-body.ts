// Reads JSON request bodies for the API: any content type (as Vault does,
// so a curl without -H still works), UTF-8 only, uncompressed, within a
// size limit and a nesting limit.
import type { IncomingMessage } from 'node:http';

import type { RequestHandler } from 'express';

import { MetacryptError } from '../../errors/index.js';

// A byte order mark is kept, so JSON.parse refuses it as before.
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** MAX_JSON_DEPTH bounds how deeply a request body may nest. */
export const MAX_JSON_DEPTH = 32;

/**
 * jsonBody parses bodies of up to limitBytes into req.body. It is small
 * on purpose: every request of the API passes through it, and a general
 * body parser (charset tables, inflate streams) costs more than the
 * cryptography of a transit call. Bodies nested deeper than
 * MAX_JSON_DEPTH are refused: nothing in the API needs them, and every
 * later walk over the value (validation, structured clone to the key
 * worker) then stays shallow.
 */
export function jsonBody(limitBytes: number): RequestHandler[] {
  return [
    (req, _res, next) => {
      const refusal = headerRefusal(req, limitBytes);
      if (refusal !== undefined) {
        discard(req);
        next(refusal);
        return;
      }
      if (!hasBody(req)) {
        next();
        return;
      }
      readBody(req, limitBytes, (err, text) => {
        if (err !== undefined) {
          next(err);
          return;
        }
        try {
          req.body = parse(text ?? '');
        } catch (parseError) {
          next(parseError);
          return;
        }
        next();
      });
    },
  ];
}

function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return (
    req.headers['transfer-encoding'] !== undefined ||
    (length !== undefined && length !== '0')
  );
}

// What the headers alone are enough to refuse.
function headerRefusal(
  req: IncomingMessage,
  limitBytes: number,
): MetacryptError | undefined {
  const encoding = (req.headers['content-encoding'] ?? 'identity')
    .trim()
    .toLowerCase();
  if (encoding !== 'identity') {
    return new MetacryptError(
      'bad_request',
      'unsupported Content-Encoding: send the body uncompressed',
    );
  }
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(
    req.headers['content-type'] ?? '',
  )?.[1];
  if (charset !== undefined && !/^utf-?8$/i.test(charset)) {
    return new MetacryptError(
      'bad_request',
      'unsupported charset: bodies are read as UTF-8 JSON',
    );
  }
  const length = Number(req.headers['content-length'] ?? 0);
  if (length > limitBytes) return tooLarge(limitBytes);
  return undefined;
}

// Collects the body, stopping at the limit (a body sent without a length
// is counted as it arrives), and calls done once.
function readBody(
  req: IncomingMessage,
  limitBytes: number,
  done: (err: Error | undefined, text?: string) => void,
): void {
  const chunks: Buffer[] = [];
  let size = 0;
  let finished = false;
  const finish = (err?: Error): void => {
    if (finished) return;
    finished = true;
    req.off('data', onData);
    req.off('end', onEnd);
    req.off('error', onError);
    if (err !== undefined) {
      discard(req);
      done(err);
      return;
    }
    // Strictly: a lenient decoder would turn every invalid byte into
    // U+FFFD, so two different passwords could read as the same one.
    let text: string;
    try {
      text = UTF8.decode(Buffer.concat(chunks, size));
    } catch {
      done(new MetacryptError('bad_request', 'unreadable request body'));
      return;
    }
    done(undefined, text);
  };
  const onData = (chunk: Buffer): void => {
    size += chunk.length;
    if (size > limitBytes) finish(tooLarge(limitBytes));
    else chunks.push(chunk);
  };
  const onEnd = (): void => {
    finish();
  };
  const onError = (): void => {
    finish(new MetacryptError('bad_request', 'request body not received'));
  };
  req.on('data', onData);
  req.on('end', onEnd);
  req.on('error', onError);
}

// The rest of a refused body is read and dropped, so the connection can
// carry the reply and the next request.
function discard(req: IncomingMessage): void {
  req.on('error', () => undefined);
  req.resume();
}

function parse(text: string): unknown {
  if (text === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // JSON.parse's message quotes the input: never passed on.
    throw new MetacryptError('bad_request', 'malformed JSON');
  }
  if (depthOf(value) > MAX_JSON_DEPTH) {
    throw new MetacryptError(
      'bad_request',
      `body nests deeper than ${String(MAX_JSON_DEPTH)} levels`,
    );
  }
  return value;
}

function tooLarge(limitBytes: number): MetacryptError {
  return new MetacryptError(
    'request_too_large',
    `request too large: the limit is ${String(limitBytes)} bytes`,
  );
}

// Iterative, so a hostile body cannot overflow the stack here either.
function depthOf(value: unknown): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 1]];
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const [item, depth] = top;
    if (typeof item !== 'object' || item === null) continue;
    deepest = Math.max(deepest, depth);
    if (deepest > MAX_JSON_DEPTH) return deepest;
    for (const child of Object.values(item)) stack.push([child, depth + 1]);
  }
  return deepest;
}
