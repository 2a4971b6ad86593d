// The CLI's side of the REST API: one JSON call to the server, with the
// server's own error code and message when it refuses, and a one-line
// reason when it cannot be reached.
import { readFileSync } from 'node:fs';

import { errnoReason, isErrorCode, MetacryptError } from '../errors/index.js';
import { httpsJson } from '../net/https-json.js';
import type { HttpsJsonResult } from '../net/https-json.js';
import { DEFAULT_ADDR } from './flags.js';

/** CLI_TIMEOUT_MS bounds one call; an unseal runs Argon2 on the server. */
export const CLI_TIMEOUT_MS = 60_000;

/** CLI_MAX_REPLY_BYTES caps a reply; a transit batch can be large. */
export const CLI_MAX_REPLY_BYTES = 64 * 1024 * 1024;

/** ApiClientOptions say which server to call and how. */
export interface ApiClientOptions {
  /** The server's base URL; DEFAULT_ADDR when absent. */
  readonly addr?: string | undefined;
  /** A PEM file of CA certificates to trust instead of the system's. */
  readonly caCert?: string | undefined;
  /** The bearer token sent with every call, when there is one. */
  readonly token?: string | undefined;
}

/** ApiReply is a successful answer: its status and parsed JSON body. */
export interface ApiReply<T = unknown> {
  readonly status: number;
  readonly body: T;
}

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** ApiClient calls one Metacrypt server. */
export class ApiClient {
  /** The server's base URL, as the user gave it (no trailing slash). */
  readonly addr: string;
  readonly #caPem: string | undefined;
  readonly #token: string | undefined;

  constructor(options: ApiClientOptions) {
    this.addr = normalizeAddr(options.addr ?? DEFAULT_ADDR);
    this.#caPem =
      options.caCert === undefined ? undefined : readCa(options.caCert);
    this.#token = options.token;
  }

  /** hasToken tells whether calls carry a bearer token. */
  get hasToken(): boolean {
    return this.#token !== undefined;
  }

  /**
   * call sends one request and resolves with a 2xx reply. A Metacrypt
   * error reply rejects with a MetacryptError of the server's code and
   * message; no reply at all rejects with `cli_unreachable`.
   */
  async call<T = unknown>(
    method: Method,
    path: string,
    body?: unknown,
  ): Promise<ApiReply<T>> {
    const result = await httpsJson({
      url: new URL(path, this.addr + '/'),
      method,
      body,
      timeoutMs: CLI_TIMEOUT_MS,
      maxReplyBytes: CLI_MAX_REPLY_BYTES,
      ...(this.#caPem === undefined ? {} : { caPem: this.#caPem }),
      ...(this.#token === undefined
        ? {}
        : { headers: { authorization: `Bearer ${this.#token}` } }),
    });
    return this.#reply<T>(result);
  }

  #reply<T>(result: HttpsJsonResult): ApiReply<T> {
    if (!result.ok) {
      const hint =
        result.reason === 'certificate not trusted' && this.#caPem === undefined
          ? ' (pass --ca-cert)'
          : '';
      throw new MetacryptError(
        'cli_unreachable',
        `cannot reach ${this.addr}: ${result.reason}${hint}`,
      );
    }
    if (result.status >= 200 && result.status < 300) {
      return { status: result.status, body: result.body as T };
    }
    throw serverError(this.addr, result.status, result.body, result.headers);
  }
}

/** serverError turns an error reply into the error the server meant. */
function serverError(
  addr: string,
  status: number,
  body: unknown,
  headers: Record<string, unknown>,
): MetacryptError {
  if (isErrorBody(body) && isErrorCode(body.code)) {
    const retry = Number(headers['retry-after']);
    return new MetacryptError(
      body.code,
      body.error,
      Number.isFinite(retry) ? { retryAfterSeconds: retry } : undefined,
    );
  }
  return new MetacryptError(
    'cli_reply',
    `${addr} answered ${String(status)} without a Metacrypt error`,
  );
}

function isErrorBody(body: unknown): body is { error: string; code: string } {
  if (typeof body !== 'object' || body === null) return false;
  const { error, code } = body as Record<string, unknown>;
  return typeof error === 'string' && typeof code === 'string';
}

/** normalizeAddr checks the address is an https URL, without a slash. */
export function normalizeAddr(addr: string): string {
  let url: URL;
  try {
    url = new URL(addr);
  } catch {
    throw new MetacryptError(
      'cli_usage',
      `--addr ${JSON.stringify(addr)} is not a URL (e.g. ${DEFAULT_ADDR})`,
    );
  }
  if (url.protocol !== 'https:') {
    throw new MetacryptError(
      'cli_usage',
      `--addr must be an https:// URL; Metacrypt serves only HTTPS`,
    );
  }
  return url.href.replace(/\/+$/, '');
}

function readCa(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new MetacryptError(
      'cli_usage',
      `--ca-cert ${path}: ${errnoReason(err) ?? 'cannot read it'}`,
    );
  }
}
