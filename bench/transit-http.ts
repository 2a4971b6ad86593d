// Benchmark: transit encrypt through the whole HTTPS server (auth cache,
// policy, validation, the key worker) against a bare Express 5 + helmet
// HTTPS endpoint that returns fixed JSON, and batch encrypt in items/s.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';

import express from 'express';
import helmet from 'helmet';

import { parseConfig } from '../src/config/index.js';
import {
  hashPassword,
  startDevIdentityServer,
} from '../src/dev-identity/index.js';
import { createLogger } from '../src/log/index.js';
import { startVaultServer } from '../src/server/vault-server.js';
import { TLS_FILES } from '../test/fixtures/tls-files.js';
import { httpsRequest } from '../test/fixtures/https-request.js';
import {
  BENCH_PASSWORD,
  machineLine,
  markdownTable,
  numberSetting,
  round,
  withTempDir,
} from './common.js';

const run = promisify(execFile);
const CONNECTIONS = 32;
const ADMIN_PASSWORD = 'bench-admin-password';
const PLAINTEXT = Buffer.alloc(64, 7).toString('base64');
const BATCH_ITEMS = 100;
const ROUNDS = 3;
// The targets.
const RATIO_TARGET = 0.8;
const P99_TARGET_MS = 10;
const ITEMS_TARGET = 50_000;

interface Load {
  readonly requestsPerSec: number;
  readonly total: number;
  readonly p50: number;
  readonly p99: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly non2xx: number;
}

// One autocannon run, in a child process.
async function load(
  url: string,
  seconds: number,
  body: string,
  headers: Record<string, string>,
): Promise<Load> {
  const child = new URL('./autocannon-child.js', import.meta.url).pathname;
  const options = { url, connections: CONNECTIONS, seconds, body, headers };
  const { stdout } = await run(
    process.execPath,
    [child, JSON.stringify(options)],
    {
      maxBuffer: 1 << 20,
    },
  );
  const result = JSON.parse(stdout) as Load;
  if (result.errors + result.timeouts + result.non2xx > 0) {
    throw new Error(`bench: failed requests: ${stdout}`);
  }
  return result;
}

// The ceiling: the same TLS, Express 5 and helmet, and nothing else.
async function bareServer(): Promise<{ url: string; close(): void }> {
  const app = express();
  app.disable('x-powered-by');
  app.use(helmet());
  app.post('/bare', (_req, res) => {
    res.json({ ciphertext: 'metacrypt:v1:fixed', key_version: 1 });
  });
  const server = createServer(
    {
      cert: readFileSync(TLS_FILES.serverCert),
      key: readFileSync(TLS_FILES.serverKey),
      minVersion: 'TLSv1.2',
    },
    app,
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${String(port)}/bare`,
    close: () => server.close(),
  };
}

async function post(
  url: string,
  json: unknown,
  token?: string,
): Promise<unknown> {
  const reply = await httpsRequest(url, {
    method: 'POST',
    body: JSON.stringify(json),
    headers: {
      'content-type': 'application/json',
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
  });
  if (reply.status >= 300) throw new Error(`bench: ${url}: ${reply.text}`);
  return reply.text === '' ? null : reply.json();
}

async function main(): Promise<void> {
  const seconds = numberSetting('BENCH_SECONDS', 5);
  await withTempDir(async (dir) => {
    // Step 1: an identity server and a vault with a transit key.
    const identity = await startDevIdentityServer({
      development: true,
      users: [
        {
          username: 'admin',
          password_hash: await hashPassword(ADMIN_PASSWORD),
          roles: ['admin'],
        },
      ],
      tlsCert: readFileSync(TLS_FILES.serverCert, 'utf8'),
      tlsKey: readFileSync(TLS_FILES.serverKey, 'utf8'),
    });
    // Log lines are made as in production, then dropped.
    const discard = new Writable({
      write: (_chunk, _encoding, done) => {
        done();
      },
    });
    const vault = await startVaultServer({
      config: parseConfig(
        {
          server: {
            listen_addr: '127.0.0.1:0',
            tls_cert: TLS_FILES.serverCert,
            tls_key: TLS_FILES.serverKey,
            max_request_bytes: 4 * 1024 * 1024,
          },
          database: { path: join(dir, 'bench.db') },
          mcias: {
            server_url: identity.url,
            ca_cert: TLS_FILES.caCert,
            cache_ttl: 3600,
          },
          seal: { argon2_time: 1, argon2_memory: 1024, argon2_threads: 1 },
        },
        {},
      ),
      logger: createLogger({ level: 'info', stream: discard }),
    });
    const bare = await bareServer();
    try {
      await post(`${vault.url}/v1/init`, { password: BENCH_PASSWORD });
      const { token } = (await post(`${vault.url}/v1/auth/login`, {
        username: 'admin',
        password: ADMIN_PASSWORD,
      })) as { token: string };
      await post(
        `${vault.url}/v1/engine/mount`,
        { name: 'transit', type: 'transit' },
        token,
      );
      await post(`${vault.url}/v1/transit/transit/create-key/bench`, {}, token);

      // Step 2: the measurements, interleaved so drift hits both alike.
      const headers = {
        'content-type': 'application/json',
        authorization: `Bearer ${token}`,
      };
      const single = JSON.stringify({ plaintext: PLAINTEXT });
      const batch = JSON.stringify({
        batch_input: Array.from({ length: BATCH_ITEMS }, () => ({
          plaintext: PLAINTEXT,
        })),
      });
      const encryptUrl = `${vault.url}/v1/transit/transit/encrypt/bench`;
      // Warm-up: both paths get the JIT's attention before anything is
      // counted, or the first round measures compilation.
      await load(encryptUrl, 3, single, headers);
      await load(bare.url, 3, single, headers);
      await load(encryptUrl, 2, batch, headers);
      const rounds: { bare: Load; transit: Load }[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        const ceiling = await load(bare.url, seconds, single, headers);
        const transit = await load(encryptUrl, seconds, single, headers);
        rounds.push({ bare: ceiling, transit });
      }
      const batched = await load(encryptUrl, seconds, batch, headers);

      // Step 3: the figures.
      report(seconds, rounds, batched);
    } finally {
      bare.close();
      await vault.close();
      await identity.close();
    }
  });
}

function report(
  seconds: number,
  rounds: readonly { bare: Load; transit: Load }[],
  batched: Load,
): void {
  const rows = rounds.map((r, i) => [
    String(i + 1),
    String(round(r.bare.requestsPerSec, 0)),
    `${String(r.bare.p50)} / ${String(r.bare.p99)}`,
    String(round(r.transit.requestsPerSec, 0)),
    `${String(r.transit.p50)} / ${String(r.transit.p99)}`,
    String(round(r.transit.requestsPerSec / r.bare.requestsPerSec, 2)),
  ]);
  const ratios = rounds.map(
    (r) => r.transit.requestsPerSec / r.bare.requestsPerSec,
  );
  const p99s = rounds.map((r) => r.transit.p99);
  const items = batched.requestsPerSec * BATCH_ITEMS;
  console.log(`# transit-http (${machineLine()})\n`);
  console.log(
    `${String(CONNECTIONS)} connections, ${String(seconds)} s per run, ` +
      '64-byte plaintext\n',
  );
  console.log(
    markdownTable(
      [
        'round',
        'bare req/s',
        'bare p50 / p99 ms',
        'encrypt req/s',
        'encrypt p50 / p99 ms',
        'ratio',
      ],
      rows,
    ),
  );
  console.log(
    `\nbatch encrypt, ${String(BATCH_ITEMS)} items a request: ` +
      `${String(round(batched.requestsPerSec, 0))} req/s, ` +
      `${String(round(items, 0))} items/s, p50 / p99 ` +
      `${String(batched.p50)} / ${String(batched.p99)} ms\n`,
  );
  // Each round's ratio compares runs made seconds apart, so drift hits
  // both; the median of the rounds is the figure, the worst is shown.
  const medianRatio = median(ratios);
  const worstRatio = Math.min(...ratios);
  const worstP99 = Math.max(...p99s);
  const verdict = (met: boolean): string => (met ? 'met' : 'missed');
  console.log(
    [
      `targets: ratio >= ${String(RATIO_TARGET)}: ` +
        `${verdict(medianRatio >= RATIO_TARGET)} (median ` +
        `${String(round(medianRatio, 2))}, worst ${String(round(worstRatio, 2))})`,
      `p99 < ${String(P99_TARGET_MS)} ms: ` +
        `${verdict(worstP99 < P99_TARGET_MS)} (worst ${String(worstP99)} ms; ` +
        `bare worst ${String(Math.max(...rounds.map((r) => r.bare.p99)))} ms)`,
      `items/s >= ${String(ITEMS_TARGET)}: ${verdict(items >= ITEMS_TARGET)}`,
    ].join('; '),
  );
  console.log(
    JSON.stringify({
      bench: 'transit-http',
      rounds,
      medianRatio: round(median(ratios), 3),
      batch: { ...batched, itemsPerSec: round(items, 0) },
    }),
  );
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

await main();
