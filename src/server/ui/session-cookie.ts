// The session cookie's value: the MCIAS token and the seal epoch it was
// issued in, signed, so a cookie from before a seal can be told apart.
import { fromBase64url, MAC_LENGTH } from './mac-key.js';
import type { MacKey } from './mac-key.js';

/** SessionTicket is what a session cookie carries. */
export interface SessionTicket {
  readonly token: string;
  /** The seal epoch at login; the session ends when it moves on. */
  readonly epoch: number;
}

// Layout: `s1.<epoch>.<token, base64url>.<HMAC-SHA256, base64url>`, the
// tag over the version, the epoch and the token. Base64url keeps any
// token MCIAS issues inside the characters a cookie may hold.
const VERSION = 's1';
const LABEL = 'metacrypt session';
const EPOCH = /^(0|[1-9][0-9]{0,14})$/;

/** SessionCookies seals tickets into cookie values and opens them. */
export class SessionCookies {
  readonly #key: MacKey;

  constructor(key: MacKey) {
    this.#key = key;
  }

  /** seal makes the cookie value for ticket. */
  seal(ticket: SessionTicket): string {
    const epoch = String(ticket.epoch);
    const tag = this.#key.tag(LABEL, VERSION, epoch, ticket.token);
    const token = Buffer.from(ticket.token, 'utf8').toString('base64url');
    return [VERSION, epoch, token, tag.toString('base64url')].join('.');
  }

  /**
   * open returns the ticket in value, or undefined when value is not a
   * cookie this process sealed (malformed, altered, or from before a
   * restart, whose key is gone).
   */
  open(value: string): SessionTicket | undefined {
    const parts = value.split('.');
    if (parts.length !== 4) return undefined;
    const [version, epoch, token, tag] = parts as [
      string,
      string,
      string,
      string,
    ];
    if (version !== VERSION || !EPOCH.test(epoch)) return undefined;

    const tokenBytes = fromBase64url(token);
    const tagBytes = fromBase64url(tag);
    if (tokenBytes === undefined || tokenBytes.length === 0) return undefined;
    if (tagBytes?.length !== MAC_LENGTH) return undefined;
    const text = tokenBytes.toString('utf8');
    if (!this.#key.verify(tagBytes, LABEL, version, epoch, text)) {
      return undefined;
    }
    return { token: text, epoch: Number(epoch) };
  }
}
