// A real Metacrypt server for tests: the HTTPS server on an ephemeral
// port over a real SQLite file, the dev identity server as its own
// process, and every log line kept so a test can prove no secret leaked.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';

import { parseConfig } from '../../src/config/index.js';
import type { Config } from '../../src/config/index.js';
import { EngineRegistry } from '../../src/engine/registry.js';
import { TRANSIT_ENGINE } from '../../src/engines/transit/ops.js';
import type { KeyWorkerOptions } from '../../src/keyworker/index.js';
import { createLogger } from '../../src/log/index.js';
import { startVaultServer } from '../../src/server/vault-server.js';
import type { VaultServer } from '../../src/server/vault-server.js';
import { NOTES_ENGINE } from '../fixtures/engines/notes-ops.js';
import { httpsRequest } from '../fixtures/https-request.js';
import type { RawReply } from '../fixtures/https-request.js';
import {
  DEV_USERS,
  devUser,
  startIdentityProcess,
} from '../fixtures/identity-process.js';
import type {
  IdentityProcess,
  IdentityProcessOptions,
} from '../fixtures/identity-process.js';
import {
  harvestSecrets,
  SecretScanner,
  SUITE_SECRETS,
  SUITE_TALLY,
} from '../fixtures/secret-scan.js';
import type { SecretHit, SecretKind } from '../fixtures/secret-scan.js';
import { TLS_FILES } from '../fixtures/tls-files.js';
import { PASSWORD } from '../keyworker/vault-scratch.js';

/** RawConfig is a configuration before defaults, as a test writes it. */
export type RawConfig = Record<string, Record<string, unknown>>;

/** HarnessOptions adjust the server a harness starts. */
export interface HarnessOptions {
  /** Changes to the test configuration (sections merged key by key). */
  readonly config?: RawConfig;
  /** Changes to the key worker (a short lockout, say). */
  readonly worker?: Partial<KeyWorkerOptions>;
  /** Options for the identity process the harness starts. */
  readonly identity?: IdentityProcessOptions;
}

/** CallOptions describe one API call. */
export interface CallOptions {
  /** A value sent as JSON. */
  readonly json?: unknown;
  /** Bytes or text sent exactly as given. */
  readonly raw?: string | Buffer;
  readonly token?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** LogScan is what Harness.scanLogs looked through and found. */
export interface LogScan {
  readonly lines: number;
  /** Secrets this harness knows, and the strings searched for them. */
  readonly secrets: number;
  readonly forms: number;
  readonly hits: readonly SecretHit[];
}

/** Reply is an API reply with its body parsed when it is JSON. */
export interface Reply extends RawReply {
  readonly body: unknown;
}

/**
 * Harness runs one identity process and a server over it; fresh() swaps
 * in a new server on a new database, keeping the identity process.
 */
export class Harness {
  readonly identity: IdentityProcess;
  readonly #options: HarnessOptions;
  readonly #dirs: string[] = [];
  readonly #logLines: string[] = [];
  readonly #secrets = new SecretScanner();
  #server: VaultServer | null = null;
  #dir = '';

  private constructor(identity: IdentityProcess, options: HarnessOptions) {
    this.identity = identity;
    this.#options = options;
    this.secret(PASSWORD, 'password');
    for (const user of DEV_USERS) this.secret(user.password, 'password');
  }

  /** start launches the identity process and a first server. */
  static async start(options: HarnessOptions = {}): Promise<Harness> {
    const identity = await startIdentityProcess(options.identity);
    const harness = new Harness(identity, options);
    try {
      await harness.fresh();
    } catch (err) {
      await identity.stop();
      throw err;
    }
    return harness;
  }

  /**
   * startReady starts a harness on an initialized vault, with `admin` and
   * `alice` logged in, as most API tests begin.
   */
  static async startReady(
    options: HarnessOptions = {},
  ): Promise<{ h: Harness; admin: string; alice: string }> {
    const h = await Harness.start(options);
    await h.init();
    return { h, admin: await h.login('admin'), alice: await h.login('alice') };
  }

  /** url is the running server's base URL. */
  get url(): string {
    return this.server.url;
  }

  /** server is the running server. */
  get server(): VaultServer {
    assert.ok(this.#server !== null, 'no server is running');
    return this.#server;
  }

  /** dir holds the running server's database. */
  get dir(): string {
    return this.#dir;
  }

  /** logLines are every line the servers logged so far. */
  get logLines(): readonly string[] {
    return this.#logLines;
  }

  /** config is the configuration a server of this harness runs with. */
  config(extra: RawConfig = {}): Config {
    const given = this.#options.config ?? {};
    const section = (name: string, base: Record<string, unknown>) => ({
      ...base,
      ...given[name],
      ...extra[name],
    });
    return parseConfig(
      {
        server: section('server', {
          listen_addr: '127.0.0.1:0',
          tls_cert: TLS_FILES.serverCert,
          tls_key: TLS_FILES.serverKey,
          auth_rate_limit: 10_000,
        }),
        database: section('database', { path: join(this.#dir, 'vault.db') }),
        mcias: section('mcias', {
          server_url: this.identity.url,
          ca_cert: TLS_FILES.caCert,
        }),
        seal: section('seal', {
          argon2_time: 1,
          argon2_memory: 256,
          argon2_threads: 1,
        }),
        log: section('log', { level: 'debug' }),
      },
      {},
    );
  }

  /** fresh stops the running server and starts one on a new database. */
  async fresh(extra: RawConfig = {}): Promise<void> {
    await this.#server?.close();
    this.#server = null;
    this.#dir = mkdtempSync(join(tmpdir(), 'metacrypt-server-test-'));
    this.#dirs.push(this.#dir);
    await this.#startServer(extra);
  }

  /** restart stops the running server and starts one on the same file. */
  async restart(extra: RawConfig = {}): Promise<void> {
    await this.#server?.close();
    this.#server = null;
    await this.#startServer(extra);
  }

  /**
   * call makes one API request to the running server. Every secret in
   * the request and the reply (passwords, tokens, plaintexts, exported
   * keys) is remembered, for close() to look for in the logs.
   */
  async call(
    method: string,
    path: string,
    options: CallOptions = {},
  ): Promise<Reply> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token !== undefined) {
      headers.authorization = `Bearer ${options.token}`;
      this.secret(options.token, 'token');
    }
    harvestSecrets(options.json, (value, kind) => {
      this.secret(value, kind);
    });
    let body: string | Buffer | undefined = options.raw;
    if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      headers['content-type'] ??= 'application/json';
    }
    const reply = await httpsRequest(this.url + path, {
      method,
      ...(body === undefined ? {} : { body }),
      headers,
    });
    let parsed: unknown = undefined;
    if (String(reply.headers['content-type']).includes('json')) {
      parsed = reply.json();
      harvestSecrets(parsed, (value, kind) => {
        this.secret(value, kind);
      });
    }
    return Object.assign(reply, { body: parsed });
  }

  /** init initializes the vault with PASSWORD, leaving it unsealed. */
  async init(): Promise<void> {
    const reply = await this.call('POST', '/v1/init', {
      json: { password: PASSWORD },
    });
    assert.equal(reply.status, 200, reply.text);
  }

  /** unseal unseals with PASSWORD. */
  async unseal(): Promise<void> {
    const reply = await this.call('POST', '/v1/unseal', {
      json: { password: PASSWORD },
    });
    assert.equal(reply.status, 200, reply.text);
  }

  /** login logs a dev user in and returns the token, remembered as secret. */
  async login(username: string): Promise<string> {
    const user = devUser(username);
    const reply = await this.call('POST', '/v1/auth/login', {
      json: { username, password: user.password },
    });
    assert.equal(reply.status, 200, reply.text);
    const { token } = reply.body as { token: string };
    return token;
  }

  /** secret adds a value that must never appear in a log line. */
  secret(value: string, kind: SecretKind = 'other'): void {
    this.#secrets.add(value, kind);
    SUITE_SECRETS.add(value, kind);
  }

  /**
   * scanLogs looks for every secret this harness saw, and every secret
   * any harness of this process saw, in each line the servers and the
   * identity process wrote so far.
   */
  scanLogs(): LogScan {
    const written = [...this.#logLines, ...this.identity.output().split('\n')];
    const own = this.#secrets.scan(written);
    const seen = new Set(own.map((hit) => hit.line));
    const others = SUITE_SECRETS.scan(written).filter((h) => !seen.has(h.line));
    return {
      lines: written.length,
      secrets: this.#secrets.size,
      forms: this.#secrets.forms,
      hits: [...own, ...others],
    };
  }

  /**
   * close stops everything, then fails if scanLogs finds a secret. A
   * failure names the kind of secret and shows the line with the secret
   * cut out.
   */
  async close(): Promise<void> {
    await this.#server?.close();
    this.#server = null;
    await this.identity.stop();
    for (const dir of this.#dirs) rmSync(dir, { recursive: true, force: true });
    const scan = this.scanLogs();
    SUITE_TALLY.harnesses += 1;
    SUITE_TALLY.lines += scan.lines;
    SUITE_TALLY.secrets = Math.max(SUITE_TALLY.secrets, SUITE_SECRETS.size);
    SUITE_TALLY.hits += scan.hits.length;
    assert.deepEqual(
      scan.hits.map(describeHit),
      [],
      'a secret appears in the logs',
    );
  }

  async #startServer(extra: RawConfig): Promise<void> {
    const lines = this.#logLines;
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done): void {
        for (const line of chunk.toString('utf8').split('\n')) {
          if (line !== '') lines.push(line);
        }
        done();
      },
    });
    this.#server = await startVaultServer({
      config: this.config(extra),
      logger: createLogger({ level: 'debug', stream }),
      registry: new EngineRegistry([TRANSIT_ENGINE, NOTES_ENGINE]),
      ...(this.#options.worker === undefined
        ? {}
        : { worker: this.#options.worker }),
    });
  }
}

function describeHit(hit: SecretHit): string {
  return `${hit.kind} in log line ${String(hit.line)}: ${hit.redacted}`;
}

/** errorOf returns a reply's `{error, code}` body. */
export function errorOf(reply: Reply): { error: string; code: string } {
  return reply.body as { error: string; code: string };
}
