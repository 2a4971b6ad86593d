// Checks on what the server answered, so a reply of the wrong shape is
// reported as one (`cli_reply`) instead of printing `undefined`.
import { MetacryptError } from '../errors/index.js';

/** ReplyObject is a JSON object reply, fields not yet checked. */
export type ReplyObject = Readonly<Record<string, unknown>>;

/** ReplyContext names the server and route, for the error message. */
export interface ReplyContext {
  readonly addr: string;
  readonly route: string;
}

/** replyObject returns body as an object, or refuses it. */
export function replyObject(body: unknown, at: ReplyContext): ReplyObject {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw malformed(at, 'a JSON object');
  }
  return body as ReplyObject;
}

/** replyString returns a string field of the reply, or refuses it. */
export function replyString(
  body: unknown,
  field: string,
  at: ReplyContext,
): string {
  const value = replyObject(body, at)[field];
  if (typeof value !== 'string') throw malformed(at, field);
  return value;
}

/** replyNumber returns a number field of the reply, or refuses it. */
export function replyNumber(
  body: unknown,
  field: string,
  at: ReplyContext,
): number {
  const value = replyObject(body, at)[field];
  if (typeof value !== 'number') throw malformed(at, field);
  return value;
}

/** replyBoolean returns a boolean field of the reply, or refuses it. */
export function replyBoolean(
  body: unknown,
  field: string,
  at: ReplyContext,
): boolean {
  const value = replyObject(body, at)[field];
  if (typeof value !== 'boolean') throw malformed(at, field);
  return value;
}

/** replyList returns an array field of the reply, or refuses it. */
export function replyList(
  body: unknown,
  field: string,
  at: ReplyContext,
): readonly unknown[] {
  const value = replyObject(body, at)[field];
  if (!Array.isArray(value)) throw malformed(at, field);
  return value;
}

function malformed(at: ReplyContext, what: string): MetacryptError {
  return new MetacryptError(
    'cli_reply',
    `${at.addr} answered ${at.route} without ${what}`,
  );
}
