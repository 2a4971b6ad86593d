// The client for MCIAS, the identity service (DESIGN.md §6): login,
// token validation, logout and health, with MCIAS's answers mapped onto
// Metacrypt's error codes.
import { z } from 'zod';

import { MetacryptError } from '../errors/index.js';
import { httpsJson } from '../net/https-json.js';
import type { HttpsJsonRequest, HttpsJsonResult } from '../net/https-json.js';

// A result that carries an HTTP answer.
type Answer = Extract<HttpsJsonResult, { ok: true }>;

/** MciasClientOptions configure a client; see the [mcias] config section. */
export interface MciasClientOptions {
  /** Base URL, https only; a path prefix is kept (`https://h/mcias/`). */
  readonly serverUrl: string;
  /** CA certificates (PEM) to trust for MCIAS instead of the system's. */
  readonly caCertPem?: string;
  /** Sent with every login, for MCIAS's login policy. */
  readonly serviceName: string;
  readonly tags: readonly string[];
  /** Bound on each whole exchange; 10 000 ms unless told. */
  readonly timeoutMs?: number;
}

/** LoginRequest is a user's credentials. */
export interface LoginRequest {
  readonly username: string;
  readonly password: string;
  readonly totpCode?: string;
}

/** LoginReply is a new token and when it expires. */
export interface LoginReply {
  readonly token: string;
  readonly expiresAt: Date;
}

/** TokenInfo is what MCIAS says about a valid token. */
export interface TokenInfo {
  readonly sub: string;
  readonly username: string;
  readonly roles: readonly string[];
  readonly expiresAt: Date;
}

// RFC 3339 with a zone, as MCIAS writes times.
const timestamp = z.iso.datetime({ offset: true });

const LOGIN_REPLY = z.object({
  token: z.string().min(1),
  expires_at: timestamp,
});

// MCIAS is written in Go, whose JSON encoder writes an empty role list as
// null; both mean no roles.
const VALIDATE_REPLY = z.discriminatedUnion('valid', [
  z.object({ valid: z.literal(false) }),
  z.object({
    valid: z.literal(true),
    sub: z.string(),
    username: z.string().min(1),
    roles: z
      .array(z.string())
      .nullable()
      .transform((roles) => roles ?? []),
    expires_at: timestamp,
  }),
]);

/**
 * MciasClient talks to MCIAS over HTTPS. MCIAS refusing a login becomes
 * `invalid_credentials` (401) or `login_denied` (403); MCIAS being
 * unreachable, slow, untrusted, failing (5xx) or answering nonsense
 * becomes `mcias_unavailable` (502), with a message that names the
 * reason, such as `mcias unavailable: connection refused`. No message
 * ever carries a password, code or token.
 */
export class MciasClient {
  readonly #base: URL;
  readonly #options: MciasClientOptions;

  constructor(options: MciasClientOptions) {
    const base = URL.canParse(options.serverUrl)
      ? new URL(options.serverUrl)
      : undefined;
    if (base?.protocol !== 'https:') {
      throw new MetacryptError(
        'config_invalid',
        'mcias: server_url must be an https:// URL',
      );
    }
    // A base without a trailing slash would lose its last path segment
    // when the call paths are resolved against it.
    if (!base.pathname.endsWith('/')) base.pathname += '/';
    this.#base = base;
    this.#options = options;
  }

  /** login exchanges credentials for a token. */
  async login(credentials: LoginRequest): Promise<LoginReply> {
    const result = await this.#call('v1/auth/login', {
      username: credentials.username,
      password: credentials.password,
      ...(credentials.totpCode === undefined
        ? {}
        : { totp_code: credentials.totpCode }),
      service_name: this.#options.serviceName,
      tags: this.#options.tags,
    });
    if (result.status === 401) throw new MetacryptError('invalid_credentials');
    if (result.status === 403) throw new MetacryptError('login_denied');
    if (result.status === 429) throw tooManyAttempts(result.headers);
    const reply = LOGIN_REPLY.safeParse(expectOk(result).body);
    if (!reply.success) throw unavailable('malformed reply');
    return {
      token: reply.data.token,
      expiresAt: new Date(reply.data.expires_at),
    };
  }

  /**
   * validate asks MCIAS about a token: its holder and roles, or null when
   * MCIAS says it is not valid (`valid: false`, or a 401 or 403 answer).
   */
  async validate(token: string): Promise<TokenInfo | null> {
    const result = await this.#call('v1/token/validate', { token });
    if (result.status === 401 || result.status === 403) return null;
    const reply = VALIDATE_REPLY.safeParse(expectOk(result).body);
    if (!reply.success) throw unavailable('malformed reply');
    if (!reply.data.valid) return null;
    return {
      sub: reply.data.sub,
      username: reply.data.username,
      roles: reply.data.roles,
      expiresAt: new Date(reply.data.expires_at),
    };
  }

  /**
   * logout asks MCIAS to revoke a token. A token MCIAS does not accept
   * (401 or 403) fails with `unauthenticated`.
   */
  async logout(token: string): Promise<void> {
    const result = await this.#call('v1/auth/logout', undefined, {
      authorization: `Bearer ${token}`,
    });
    if (result.status === 401 || result.status === 403) {
      throw new MetacryptError('unauthenticated');
    }
    if (result.status !== 200 && result.status !== 204) {
      throw unavailable(`answered ${result.status}`);
    }
  }

  /** health tells whether MCIAS answers its health check with 200. */
  async health(): Promise<boolean> {
    const result = await this.#send('GET', 'v1/health', undefined, {});
    return result.ok && result.status === 200;
  }

  // A POST whose failure to get any answer is mcias_unavailable.
  async #call(
    path: string,
    body: unknown,
    headers: Readonly<Record<string, string>> = {},
  ): Promise<Answer> {
    const result = await this.#send('POST', path, body, headers);
    if (!result.ok) throw unavailable(result.reason);
    return result;
  }

  #send(
    method: HttpsJsonRequest['method'],
    path: string,
    body: unknown,
    headers: Readonly<Record<string, string>>,
  ): Promise<HttpsJsonResult> {
    const { caCertPem, timeoutMs } = this.#options;
    return httpsJson({
      url: new URL(path, this.#base),
      method,
      ...(body === undefined ? {} : { body }),
      headers,
      ...(caCertPem === undefined ? {} : { caPem: caCertPem }),
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
    });
  }
}

// Anything but 200 from here on is MCIAS failing (5xx) or answering in a
// way this client does not understand.
function expectOk(result: Answer): Answer {
  if (result.status !== 200) throw unavailable(`answered ${result.status}`);
  return result;
}

function unavailable(reason: string): MetacryptError {
  return new MetacryptError(
    'mcias_unavailable',
    `mcias unavailable: ${reason}`,
  );
}

// MCIAS limiting login attempts is a refusal, not an outage; its
// Retry-After (whole seconds) is passed on when it gives one.
function tooManyAttempts(headers: Answer['headers']): MetacryptError {
  const retry = headers['retry-after'];
  const seconds =
    retry !== undefined && /^\d+$/.test(retry) ? Number(retry) : undefined;
  return new MetacryptError(
    'too_many_attempts',
    undefined,
    seconds === undefined ? {} : { retryAfterSeconds: seconds },
  );
}
