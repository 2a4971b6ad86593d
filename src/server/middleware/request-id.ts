// Gives every request an id, taken from X-Request-Id when the client sent
// a sane one, so a log line and a reply can be matched up.
import { randomUUID } from 'node:crypto';

// A client's id is echoed into logs and headers, so only short ids of
// safe characters are kept; anything else is replaced.
const CLIENT_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** requestIdOf keeps a client's id when it is sane, or makes a new one. */
export function requestIdOf(given: string | string[] | undefined): string {
  return typeof given === 'string' && CLIENT_ID.test(given)
    ? given
    : randomUUID();
}
