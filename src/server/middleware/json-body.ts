// Reads JSON request bodies for the API: any content type (as Vault does,
// so a curl without -H still works), a size limit, and a nesting limit.
import express from 'express';
import type { RequestHandler } from 'express';

import { MetacryptError } from '../../errors/index.js';

/** MAX_JSON_DEPTH bounds how deeply a request body may nest. */
export const MAX_JSON_DEPTH = 32;

/**
 * jsonBody parses bodies of up to limitBytes. Bodies nested deeper than
 * MAX_JSON_DEPTH are refused: nothing in the API needs them, and every
 * later walk over the value (validation, structured clone to the key
 * worker) then stays shallow.
 */
export function jsonBody(limitBytes: number): RequestHandler[] {
  return [
    express.json({ limit: limitBytes, strict: false, type: () => true }),
    (req, _res, next) => {
      if (depthOf(req.body) > MAX_JSON_DEPTH) {
        throw new MetacryptError(
          'bad_request',
          `body nests deeper than ${String(MAX_JSON_DEPTH)} levels`,
        );
      }
      next();
    },
  ];
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
