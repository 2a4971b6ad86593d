// Writes a JSON reply directly, for the routes that carry the traffic:
// Express's res.json also runs content negotiation helpers and freshness
// checks that an API reply to a POST never needs.
import type { Response } from 'express';

/** sendJson answers with status and value as UTF-8 JSON. */
export function sendJson(res: Response, value: unknown, status = 200): void {
  const body = JSON.stringify(value);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(body);
}
