// How the web UI shows a refusal: the message a reply may carry (never
// internals) inside the form that was sent, or on an error page.
import type {
  ErrorRequestHandler,
  Request,
  RequestHandler,
  Response,
} from 'express';

import { errorReply, MetacryptError } from '../../errors/index.js';
import { faultOf } from '../middleware/error-handler.js';
import { contextOf } from '../request-context.js';
import { uiContextOf } from './ui-context.js';
import type { UiKit } from './ui-kit.js';
import { isHtmx, sendFragment, sendPage } from './ui-render.js';

/** ShownError is a refusal as a page may show it. */
export interface ShownError {
  readonly status: number;
  readonly code: string;
  /** The catalogue's exposed message, or `internal error`. */
  readonly message: string;
  readonly retryAfterSeconds: number | undefined;
}

/** FormRenderer shows a form again with an error. */
export type FormRenderer = (
  req: Request,
  res: Response,
  shown: ShownError,
) => Promise<void>;

/**
 * shownError is what may be shown of err, as errorReply decides for the
 * API. An unplanned fault is logged here with what helps find it, and
 * shows only `internal error`.
 */
export function shownError(kit: UiKit, req: Request, err: unknown): ShownError {
  const error = asMetacryptError(err);
  const reply = errorReply(error ?? err);
  if (reply.body.code === 'internal') {
    kit.logger.error('request failed', {
      request_id: contextOf(req).requestId,
      route: req.path.slice(0, 200),
      error: faultOf(err),
    });
  }
  return {
    status: reply.status,
    code: reply.body.code,
    message: reply.body.error,
    retryAfterSeconds: error?.retryAfterSeconds,
  };
}

/**
 * showErrorsIn starts a form route whose refusals, from any later step
 * (rate limit, CSRF, the handler), show inside the form itself.
 */
export function showErrorsIn(kit: UiKit, render: FormRenderer): RequestHandler {
  return (req, res, next) => {
    uiContextOf(req).retry = async (err) => {
      const shown = shownError(kit, req, err);
      setRetryAfter(res, shown);
      await render(req, res, shown);
    };
    next();
  };
}

/**
 * uiErrorHandler answers what a UI route threw: inside its form when the
 * route said how, else as an error page, or for htmx as a notice swapped
 * into the page's #flash region.
 */
export function uiErrorHandler(kit: UiKit): ErrorRequestHandler {
  // Express tells an error handler by its four parameters.
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  return async (err: unknown, req, res, _next) => {
    if (res.headersSent) {
      req.socket.destroy();
      return;
    }

    // Step 1: a form that can show the error itself.
    const { retry } = uiContextOf(req);
    if (retry !== undefined) {
      uiContextOf(req).retry = undefined;
      await retry(err);
      return;
    }

    // Step 2: a notice for htmx, or an error page.
    const shown = shownError(kit, req, err);
    setRetryAfter(res, shown);
    if (isHtmx(req)) {
      res.setHeader('HX-Retarget', '#flash');
      res.setHeader('HX-Reswap', 'innerHTML');
      await sendFragment(kit, req, res, 'flash', { shown }, shown.status);
      return;
    }
    await sendPage(
      kit,
      req,
      res,
      'error',
      { title: 'Error', shown },
      shown.status,
    );
  };
}

function setRetryAfter(res: Response, shown: ShownError): void {
  if (shown.retryAfterSeconds !== undefined) {
    res.setHeader('Retry-After', String(shown.retryAfterSeconds));
  }
}

// Errors Express or a parser raise with a 4xx status become bad requests
// without their messages, as in the API's error handler.
function asMetacryptError(err: unknown): MetacryptError | undefined {
  if (err instanceof MetacryptError) return err;
  const { status } = (err ?? {}) as { status?: unknown };
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new MetacryptError('bad_request', 'bad request');
  }
  return undefined;
}
