// The one place errors become replies: `{"error", "code"}` from the
// catalogue, Retry-After where a retry makes sense, 404 JSON for routes
// that do not exist, and a log line for every fault.
import type { ErrorRequestHandler, RequestHandler } from 'express';

import { errorReply, MetacryptError } from '../../errors/index.js';
import type { Logger } from '../../log/index.js';
import { contextOf } from '../request-context.js';

/** notFound answers any request no route took. */
export function notFound(): RequestHandler {
  return () => {
    throw new MetacryptError('not_found');
  };
}

/** errorHandler turns whatever a handler threw into the JSON reply. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  // Express tells an error handler by its four parameters, so the unused
  // last one must stay.
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  return (err: unknown, req, res, _next) => {
    const error = asMetacryptError(err);
    const reply = errorReply(error);

    // Step 1: faults go to the log with what helps find them; a
    // deliberate refusal was already logged where it was decided.
    if (reply.body.code === 'internal') {
      logger.error('request failed', {
        request_id: contextOf(req).requestId,
        route: req.path.slice(0, 200),
        error: faultOf(err),
      });
    }

    // Step 2: a reply already under way cannot change; end it.
    if (res.headersSent) {
      req.socket.destroy();
      return;
    }

    // Step 3: the reply.
    if (error?.retryAfterSeconds !== undefined) {
      res.setHeader('Retry-After', String(error.retryAfterSeconds));
    }
    res.status(reply.status).json(reply.body);
  };
}

// Errors Express itself raises (a malformed URL escape, say) carry a 4xx
// status; they become bad requests without their messages.
function asMetacryptError(err: unknown): MetacryptError | undefined {
  if (err instanceof MetacryptError) return err;
  const { status } = (err ?? {}) as { status?: unknown };
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new MetacryptError('bad_request', 'bad request');
  }
  return undefined;
}

/**
 * faultOf is what a log line may say of an unplanned fault: its class,
 * code and stack frames, not its message, which may quote input or
 * internals. The web UI logs its faults with it too.
 */
export function faultOf(err: unknown): Record<string, unknown> {
  if (!(err instanceof Error)) return { type: typeof err };
  const frames = (err.stack ?? '').split('\n').slice(1, 8);
  const code = (err as { code?: unknown }).code;
  return {
    name: err.name,
    ...(typeof code === 'string' ? { code } : {}),
    ...(err instanceof MetacryptError ? { message: err.message } : {}),
    frames: frames.map((f) => f.trim()),
  };
}
