// One client's view of a running server for the reliability runs: JSON
// calls over kept-alive connections, with a token, and the unseal and
// login steps every restart begins with.
import assert from 'node:assert/strict';
import { Agent } from 'node:https';

import { httpsRequest } from '../fixtures/https-request.js';
import { devUser } from '../fixtures/identity-process.js';
import { testCaPem } from '../fixtures/tls-files.js';

/** ApiReply is a reply's status and its body, parsed when it is JSON. */
export interface ApiReply {
  readonly status: number;
  readonly body: unknown;
}

/**
 * ApiSession sends requests to one server URL. Connections are kept
 * alive, since a writer sends thousands of requests and a new TLS
 * handshake for each would be most of the work.
 */
export class ApiSession {
  readonly url: string;
  token: string | undefined;
  readonly #agent: Agent;

  constructor(url: string) {
    this.url = url;
    this.#agent = new Agent({ keepAlive: true, ca: testCaPem() });
  }

  /** call sends one request; a connection error rejects. */
  async call(method: string, path: string, json?: unknown): Promise<ApiReply> {
    const headers: Record<string, string> = {};
    if (this.token !== undefined) {
      headers.authorization = `Bearer ${this.token}`;
    }
    if (json !== undefined) headers['content-type'] = 'application/json';
    const reply = await httpsRequest(this.url + path, {
      method,
      headers,
      agent: this.#agent,
      ...(json === undefined ? {} : { body: JSON.stringify(json) }),
    });
    const isJson = String(reply.headers['content-type']).includes('json');
    return { status: reply.status, body: isJson ? reply.json() : reply.text };
  }

  /** post sends a JSON body with POST. */
  post(path: string, json: unknown = {}): Promise<ApiReply> {
    return this.call('POST', path, json);
  }

  /** unseal unseals with password and fails unless it worked. */
  async unseal(password: string): Promise<void> {
    const reply = await this.post('/v1/unseal', { password });
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
  }

  /** login logs a dev user in and keeps the token for later calls. */
  async login(username: string): Promise<void> {
    const reply = await this.post('/v1/auth/login', {
      username,
      password: devUser(username).password,
    });
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    this.token = (reply.body as { token: string }).token;
  }

  /** close drops the kept-alive connections. */
  close(): void {
    this.#agent.destroy();
  }
}

/** errorCode is the `code` of an error reply, or undefined. */
export function errorCode(reply: ApiReply): string | undefined {
  const body = reply.body as { code?: unknown } | null;
  return typeof body?.code === 'string' ? body.code : undefined;
}
