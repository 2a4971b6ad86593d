// What the web UI learns about one request as it passes: the session
// cookie sent and the one to send back, the session it opened, the CSRF
// token its forms carry, and how to show an error in the form it came
// from.
import type { Request } from 'express';

import type { Identity } from '../../auth/index.js';
import { readCookie, SESSION_COOKIE } from './cookies.js';

/** UiSession is a logged-in browser: its token and who it belongs to. */
export interface UiSession {
  readonly token: string;
  readonly identity: Identity;
}

/** Retry shows the form a request came from again, with an error. */
export type Retry = (err: unknown) => Promise<void>;

/** UiContext is the web UI's state for one request. */
export interface UiContext {
  /** The session cookie the browser sent, checked or not. */
  readonly sentSession: string | undefined;
  /**
   * The session cookie the browser will hold after this reply: set by a
   * login, dropped by a logout or when stale. CSRF tokens in the reply
   * are made for it.
   */
  nextSession: string | undefined;
  /** The session, once the cookie was checked and the token accepted. */
  session: UiSession | undefined;
  /** The CSRF token of this reply's forms, once made. */
  csrfToken: string | undefined;
  /** Set by form routes whose errors show inside the form. */
  retry: Retry | undefined;
}

// Keyed by the request, as the server's own request context is.
const contexts = new WeakMap<Request, UiContext>();

/** uiContextOf returns req's UI context, starting it on first use. */
export function uiContextOf(req: Request): UiContext {
  let context = contexts.get(req);
  if (context === undefined) {
    const sent = readCookie(req.headers.cookie, SESSION_COOKIE);
    context = {
      sentSession: sent,
      nextSession: sent,
      session: undefined,
      csrfToken: undefined,
      retry: undefined,
    };
    contexts.set(req, context);
  }
  return context;
}
