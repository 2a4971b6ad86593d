// A browser stand-in for web UI tests over plain HTTPS: a cookie jar,
// form posts as a browser sends them, and the CSRF token read from the
// last page, so a test can send exactly what it means to.
import assert from 'node:assert/strict';

import { SESSION_COOKIE } from '../../../src/server/ui/cookies.js';
import { httpsRequest } from '../../fixtures/https-request.js';
import type { RawReply } from '../../fixtures/https-request.js';
import { devUser } from '../../fixtures/identity-process.js';
import { harvestSecrets } from '../../fixtures/secret-scan.js';
import { PASSWORD } from '../../keyworker/vault-scratch.js';
import type { Harness } from '../harness.js';

/** Fields are a form's fields; a list sends the field once per item. */
export type Fields = Readonly<Record<string, string | readonly string[]>>;

/** PostOptions adjust one post. */
export interface PostOptions {
  /** Leave the CSRF field out (true), or send this value instead. */
  readonly csrf?: false | string;
  /** Ask as htmx does, for a fragment. */
  readonly htmx?: boolean;
  readonly headers?: Readonly<Record<string, string>>;
}

/** UiClient keeps cookies and the last CSRF token across requests. */
export class UiClient {
  readonly #h: Harness;
  readonly cookies = new Map<string, string>();
  /** Every Set-Cookie header received, as sent. */
  readonly setCookies: string[] = [];
  csrf = '';

  constructor(h: Harness) {
    this.#h = h;
  }

  /** get fetches path, remembering cookies and the page's CSRF token. */
  async get(path: string, options: PostOptions = {}): Promise<RawReply> {
    return this.#send('GET', path, undefined, options);
  }

  /** post sends fields as a urlencoded form, with the CSRF token. */
  async post(
    path: string,
    fields: Fields = {},
    options: PostOptions = {},
  ): Promise<RawReply> {
    // Passwords and plaintexts typed into a form must not be logged.
    harvestSecrets(fields, (value, kind) => {
      this.#h.secret(value, kind);
    });
    const form = new URLSearchParams();
    for (const [name, value] of Object.entries(fields)) {
      for (const item of typeof value === 'string' ? [value] : value) {
        form.append(name, item);
      }
    }
    const token = options.csrf ?? this.csrf;
    if (token !== false) form.append('_csrf', token);
    return this.#send('POST', path, form.toString(), options);
  }

  /** init initializes the vault through the init page. */
  async init(): Promise<void> {
    await this.get('/init');
    const reply = await this.post('/init', {
      password: PASSWORD,
      confirm: PASSWORD,
    });
    assert.equal(reply.status, 303, reply.text);
    assert.equal(reply.headers.location, '/login');
  }

  /** unseal unseals through the unseal page. */
  async unseal(): Promise<void> {
    await this.get('/unseal');
    const reply = await this.post('/unseal', { password: PASSWORD });
    assert.equal(reply.status, 303, reply.text);
  }

  /** login logs a dev user in through the login page. */
  async login(username: string): Promise<void> {
    await this.get('/login');
    const reply = await this.post('/login', {
      username,
      password: devUser(username).password,
    });
    assert.equal(reply.status, 303, reply.text);
    assert.equal(reply.headers.location, '/dashboard');
    await this.get('/dashboard');
  }

  async #send(
    method: string,
    path: string,
    body: string | undefined,
    options: PostOptions,
  ): Promise<RawReply> {
    const headers: Record<string, string> = { ...options.headers };
    if (this.cookies.size > 0) {
      headers.cookie = [...this.cookies]
        .map(([name, value]) => `${name}=${value}`)
        .join('; ');
    }
    if (body !== undefined) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
    }
    if (options.htmx === true) headers['hx-request'] = 'true';
    const reply = await httpsRequest(this.#h.url + path, {
      method,
      ...(body === undefined ? {} : { body }),
      headers,
    });
    this.#keepCookies(reply);
    const token = /name="_csrf" value="([^"]+)"/.exec(reply.text)?.[1];
    if (token !== undefined) this.csrf = token;
    return reply;
  }

  #keepCookies(reply: RawReply): void {
    for (const line of reply.headers['set-cookie'] ?? []) {
      this.setCookies.push(line);
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      const expired = /expires=Thu, 01 Jan 1970/i.test(line);
      if (expired || value === '') {
        this.cookies.delete(name);
        continue;
      }
      this.cookies.set(name, value);
      if (name === SESSION_COOKIE) this.#rememberSecrets(value);
    }
  }

  // The session cookie carries the MCIAS token: neither may be logged.
  #rememberSecrets(cookie: string): void {
    this.#h.secret(cookie, 'token');
    const token = cookie.split('.')[2] ?? '';
    this.#h.secret(Buffer.from(token, 'base64url').toString('utf8'), 'token');
  }

  /** sessionToken is the MCIAS token in the session cookie. */
  get sessionToken(): string {
    const cookie = this.cookies.get(SESSION_COOKIE) ?? '';
    const token = cookie.split('.')[2] ?? '';
    return Buffer.from(token, 'base64url').toString('utf8');
  }
}
