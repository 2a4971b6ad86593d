// Reads the web UI's form posts (application/x-www-form-urlencoded, as
// browsers and htmx send them) and gives handlers their fields as text.
import type { Request, RequestHandler } from 'express';
import express from 'express';

import { MetacryptError } from '../../errors/index.js';

// No form of the UI has more fields than this.
const MAX_FIELDS = 64;

/**
 * formBody parses a urlencoded body of up to limitBytes into req.body.
 * The parser's own errors carry its wording and sometimes the input, so
 * they become the catalogue's errors before anything can show them.
 */
export function formBody(limitBytes: number): RequestHandler[] {
  const parse: RequestHandler = express.urlencoded({
    extended: false,
    limit: limitBytes,
    parameterLimit: MAX_FIELDS,
  });
  return [
    (req, res, next) => {
      void parse(req, res, (err?: unknown) => {
        next(err === undefined ? undefined : formError(err, limitBytes));
      });
    },
  ];
}

/**
 * field returns a form field's text; a missing field is empty, and a
 * field sent twice counts as missing rather than as either value.
 */
export function field(req: Request, name: string): string {
  const value = bodyOf(req)[name];
  return typeof value === 'string' ? value : '';
}

/** fieldList returns every value a field was sent with (checkboxes). */
export function fieldList(req: Request, name: string): string[] {
  const value = bodyOf(req)[name];
  if (typeof value === 'string') return [value];
  if (!Array.isArray(value)) return [];
  return value.filter((item): item is string => typeof item === 'string');
}

function bodyOf(req: Request): Record<string, unknown> {
  const body: unknown = req.body;
  if (typeof body !== 'object' || body === null) return {};
  return body as Record<string, unknown>;
}

function formError(err: unknown, limitBytes: number): MetacryptError {
  const { type } = (err ?? {}) as { type?: unknown };
  if (type === 'parameters.too.many') {
    return new MetacryptError('bad_request', 'too many form fields');
  }
  if (type === 'entity.too.large') {
    return new MetacryptError(
      'request_too_large',
      `request too large: the limit is ${String(limitBytes)} bytes`,
    );
  }
  return new MetacryptError('bad_request', 'unreadable form');
}
