// The key worker as a real thread behind its client: no key crosses the
// port, lockouts outlive a worker, a dead worker fails calls and comes back
// sealed, and a seal amid traffic never yields a wrong value.
import assert from 'node:assert/strict';
import { createPrivateKey } from 'node:crypto';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';

import { isAllZero } from '../../src/crypto/index.js';
import { TRANSIT_KEY_TYPES } from '../../src/engines/transit/key-type-names.js';
import type { MetacryptError } from '../../src/errors/index.js';
import { KeyWorkerClient } from '../../src/keyworker/index.js';
import type { CreateWorker, LimiterPolicy } from '../../src/keyworker/index.js';
import { makeTempDir, removeDir } from '../db/scratch.js';
import {
  bytes,
  PASSWORD,
  readRealKeys,
  workerOptions,
} from './vault-scratch.js';
import { isCode } from '../errors/thrown-error.js';

const NEW_PASSWORD = 'another seal password';
const TYPES = TRANSIT_KEY_TYPES;

function text(value: Uint8Array | null): string | null {
  return value === null ? null : Buffer.from(value).toString('utf8');
}

// Every byte array and string inside a message, copied at the moment it
// crossed, before a transfer could empty it.
interface Crossing {
  readonly direction: 'to-worker' | 'from-worker';
  readonly bytes: Buffer[];
  readonly strings: string[];
}

function collect(
  value: unknown,
  into: Crossing,
  seen = new Set<object>(),
): void {
  if (typeof value === 'string') {
    into.strings.push(value);
    return;
  }
  if (value === null || typeof value !== 'object' || seen.has(value)) return;
  seen.add(value);
  if (value instanceof Uint8Array) {
    into.bytes.push(Buffer.from(value));
    return;
  }
  for (const item of Object.values(value)) collect(item, into, seen);
}

// A worker factory that records every message in both directions.
function spyingWorker(crossings: Crossing[], workers: Worker[]): CreateWorker {
  return (file, options) => {
    const worker = new Worker(file, { workerData: options });
    workers.push(worker);
    const post = worker.postMessage.bind(worker);
    worker.postMessage = (message: unknown, transfer?: readonly never[]) => {
      const crossing: Crossing = {
        direction: 'to-worker',
        bytes: [],
        strings: [],
      };
      collect(message, crossing);
      crossings.push(crossing);
      post(message, transfer);
    };
    worker.on('message', (message: unknown) => {
      const crossing: Crossing = {
        direction: 'from-worker',
        bytes: [],
        strings: [],
      };
      collect(message, crossing);
      crossings.push(crossing);
    });
    return worker;
  };
}

// Where a key shows up in the crossings, in any of the forms it could
// take: raw bytes, hex, base64 or base64url.
function leaks(crossings: Crossing[], key: Buffer): string[] {
  const forms = [
    key.toString('hex'),
    key.toString('base64'),
    key.toString('base64url'),
  ];
  const found: string[] = [];
  crossings.forEach((crossing, i) => {
    if (crossing.bytes.some((b) => b.indexOf(key) !== -1)) {
      found.push(`message ${String(i)} ${crossing.direction}: bytes`);
    }
    if (crossing.strings.some((s) => forms.some((f) => s.includes(f)))) {
      found.push(`message ${String(i)} ${crossing.direction}: text`);
    }
  });
  return found;
}

describe('key worker client', () => {
  let dir: string;
  let clients: KeyWorkerClient[];

  beforeEach(() => {
    dir = makeTempDir();
    clients = [];
  });

  afterEach(async () => {
    for (const client of clients) await client.close();
    removeDir(dir);
  });

  async function start(
    options: { limiter?: LimiterPolicy; createWorker?: CreateWorker } = {},
  ): Promise<KeyWorkerClient> {
    const client = await KeyWorkerClient.start({
      worker: workerOptions(dir, options.limiter),
      ...(options.createWorker === undefined
        ? {}
        : { createWorker: options.createWorker }),
    });
    clients.push(client);
    return client;
  }

  it('never sends the KWK, the MEK, a DEK or an engine key across the port', async () => {
    const crossings: Crossing[] = [];
    const workers: Worker[] = [];
    const client = await start({
      createWorker: spyingWorker(crossings, workers),
    });
    const dbPath = join(dir, 'vault.db');
    const keys: Buffer[] = [];
    const remember = async (password = PASSWORD): Promise<void> => {
      const real = await readRealKeys(dbPath, password);
      keys.push(real.kwk, real.mek, ...real.deks.values());
      // The notes engine's MAC key, an engine key, read from its entry.
      const mac = real.entries.get('engine/notes/keys/mac');
      if (mac !== undefined) keys.push(mac);
      // Every transit key version, and the raw private scalar of each
      // key pair too, in case one leaked in another encoding.
      for (const [path, secret] of real.entries) {
        if (!/^engine\/tr\/keys\/[^/]+\/v\/\d+$/.test(path)) continue;
        keys.push(secret);
        if (/\/k-(ed25519|ecdsa-p\d+)\//.test(path)) {
          const jwk = createPrivateKey({
            key: secret,
            format: 'der',
            type: 'pkcs8',
          }).export({ format: 'jwk' });
          if (jwk.d !== undefined) keys.push(Buffer.from(jwk.d, 'base64url'));
        }
      }
    };
    const transit = async (): Promise<void> => {
      for (const type of TYPES) {
        const name = `k-${type}`;
        const input = Buffer.from(`input for ${type}`).toString('base64');
        if (type.startsWith('aes') || type.startsWith('chacha')) {
          const { ciphertext } = (await client.engineRequest(
            'tr',
            'encrypt',
            { name, plaintext: input, context: input },
            alice,
          )) as { ciphertext: string };
          await client.engineRequest(
            'tr',
            'decrypt',
            { name, ciphertext, context: input },
            alice,
          );
          await client.engineRequest(
            'tr',
            'rewrap',
            { name, ciphertext, context: input },
            alice,
          );
          await client.engineRequest(
            'tr',
            'datakey',
            { name, type: 'wrapped' },
            alice,
          );
        } else if (type.startsWith('hmac')) {
          await client.engineRequest('tr', 'hmac', { name, input }, alice);
        } else {
          const { signature } = (await client.engineRequest(
            'tr',
            'sign',
            { name, input },
            alice,
          )) as { signature: string };
          await client.engineRequest(
            'tr',
            'verify',
            { name, input, signature },
            alice,
          );
          await client.engineRequest('tr', 'get-key', { name }, alice);
        }
      }
    };

    // Init, unseal, barrier traffic and engine traffic.
    const alice = { username: 'alice', isAdmin: false };
    await client.init(PASSWORD);
    await client.seal();
    await client.unseal(bytes(PASSWORD));
    await client.mount('notes', 'notes', {});
    await client.engineRequest('notes', 'make-key', {}, alice);
    await client.mount('tr', 'transit', {});
    for (const type of TYPES) {
      await client.engineRequest(
        'tr',
        'create-key',
        { name: `k-${type}`, type },
        alice,
      );
    }
    await transit();
    for (let i = 0; i < 20; i++) {
      await client.barrierPut(
        `sys/v/${String(i)}`,
        bytes(`value ${String(i)}`),
      );
      await client.engineRequest(
        'notes',
        'put',
        { name: `k${String(i)}`, text: 'x'.repeat(i) },
        alice,
      );
    }
    await client.engineRequest('notes', 'mac', { text: 'hello' }, alice);
    for (const type of TYPES) {
      await client.engineRequest(
        'tr',
        'rotate-key',
        { name: `k-${type}` },
        alice,
      );
    }
    await transit();
    assert.equal(text(await client.barrierGet('sys/v/3')), 'value 3');
    assert.equal((await client.barrierList('sys/v/')).length, 20);
    await remember();

    // Rotation of a DEK, a rekey and a rotation of the MEK.
    await client.rotateKey('engine/notes');
    await client.rotateKey('system');
    await client.engineRequest(
      'notes',
      'put',
      { name: 'after', text: 'after rotation' },
      alice,
    );
    assert.deepEqual(
      await client.engineRequest('notes', 'get', { name: 'k5' }, alice),
      { text: 'xxxxx' },
    );
    await remember();
    await client.rekey(PASSWORD, NEW_PASSWORD);
    await remember(NEW_PASSWORD);
    await client.rotateMek(NEW_PASSWORD);
    await client.listKeys();
    assert.equal(text(await client.barrierGet('sys/v/7')), 'value 7');
    await remember(NEW_PASSWORD);

    // Seal, and a last unseal and read under the final keys.
    await client.seal();
    await client.unseal(NEW_PASSWORD);
    assert.deepEqual(
      await client.engineRequest('notes', 'get', { name: 'after' }, alice),
      { text: 'after rotation' },
    );
    await client.engineRequest('notes', 'mac', { text: 'again' }, alice);
    await transit();
    await remember(NEW_PASSWORD);
    await client.seal();

    // The spy saw the traffic, and would have seen a key had one crossed.
    assert.ok(
      crossings.filter((c) => c.direction === 'from-worker').length > 50,
    );
    assert.ok(
      crossings.some((c) => c.bytes.some((b) => b.toString() === 'value 3')),
    );
    // Each key once: the same DEK is read again after later steps.
    const distinct = new Set(keys.map((k) => k.toString('hex')));
    // Two KWKs and two MEKs (rekey, MEK rotation), five DEK versions, the
    // MAC key, two versions of seven transit keys, and the private scalar
    // of each of the six key pair versions.
    assert.equal(distinct.size, 30, `${String(distinct.size)} distinct keys`);
    const planted: Crossing = {
      direction: 'from-worker',
      bytes: [],
      strings: [],
    };
    collect(
      { value: { deep: [Buffer.concat([bytes('x'), keys[1] ?? bytes('')])] } },
      planted,
    );
    assert.equal(leaks([planted], keys[1] ?? bytes('')).length, 1);

    for (const key of keys) {
      assert.deepEqual(leaks(crossings, key), []);
    }
  });

  it('reports why it cannot start', async () => {
    await assert.rejects(
      KeyWorkerClient.start({
        worker: {
          ...workerOptions(dir),
          dbPath: join(dir, 'missing', 'vault.db'),
        },
      }),
      (err: unknown) =>
        isCode('db_open')(err) && (err as Error).message.startsWith('db: '),
    );
  });

  it('wipes the password bytes it was given', async () => {
    const client = await start();
    const password = bytes(PASSWORD);
    await client.init(password);
    assert.ok(isAllZero(password));
    await client.seal();
    const again = bytes(PASSWORD);
    await client.unseal(again);
    assert.ok(isAllZero(again));
  });

  it('passes errors across with their code and message', async () => {
    const client = await start();
    await assert.rejects(client.barrierGet('sys/x'), isCode('sealed'));
    await assert.rejects(client.unseal(PASSWORD), isCode('not_initialized'));
    await assert.rejects(
      client.init('short'),
      (err: unknown) =>
        isCode('password_too_short')(err) &&
        (err as Error).message === 'password must be at least 12 characters',
    );
    await client.init(PASSWORD);
    await assert.rejects(
      client.barrierPut('sys//x', bytes('x')),
      (err: unknown) =>
        isCode('invalid_path')(err) &&
        (err as Error).message ===
          'invalid path: path "sys//x" has an empty segment',
    );
    await assert.rejects(
      client.unseal(PASSWORD).then(() => client.init(PASSWORD)),
      isCode('already_initialized'),
    );
  });

  it('locks unsealing after five wrong passwords, also for a new worker', async () => {
    let client = await start();
    await client.init(PASSWORD);
    await client.seal();
    for (let i = 0; i < 5; i++) {
      await assert.rejects(
        client.unseal(`wrong password ${String(i)}`),
        isCode('invalid_password'),
      );
    }
    const locked = (err: unknown): boolean =>
      isCode('too_many_attempts')(err) &&
      (err as MetacryptError).status === 429 &&
      ((err as MetacryptError).retryAfterSeconds ?? 0) >= 59 &&
      ((err as MetacryptError).retryAfterSeconds ?? 0) <= 60 &&
      /^too many attempts: try again in \d+ seconds$/.test(
        (err as Error).message,
      );
    await assert.rejects(client.unseal(PASSWORD), locked);

    await client.close();
    client = await start();
    assert.deepEqual(await client.status(), { state: 'sealed' });
    await assert.rejects(client.unseal(PASSWORD), locked);
    assert.deepEqual(await client.status(), { state: 'sealed' });
  });

  it('lets the lockout expire', async () => {
    const limiter = { maxFailures: 5, windowMs: 60_000, lockoutMs: 1_500 };
    const client = await start({ limiter });
    await client.init(PASSWORD);
    await client.seal();
    for (let i = 0; i < 5; i++) {
      await assert.rejects(
        client.unseal(`wrong password ${String(i)}`),
        isCode('invalid_password'),
      );
    }
    await assert.rejects(client.unseal(PASSWORD), isCode('too_many_attempts'));
    await sleep(1_600);
    assert.deepEqual(await client.unseal(PASSWORD), { state: 'unsealed' });
  });

  it('fails pending calls when the worker dies, and starts a sealed one that unseals', async () => {
    const workers: Worker[] = [];
    const client = await start({ createWorker: spyingWorker([], workers) });
    await client.init(PASSWORD);

    // Acknowledged writes, then more traffic cut short by the kill.
    const acknowledged = new Map<string, string>();
    for (let i = 0; i < 50; i++) {
      await client.barrierPut(`sys/a/${String(i)}`, bytes(`a${String(i)}`));
      acknowledged.set(`sys/a/${String(i)}`, `a${String(i)}`);
    }
    const calls = Array.from({ length: 200 }, (_, i) => {
      const path = `sys/b/${String(i)}`;
      return i % 2 === 0
        ? client.barrierPut(path, bytes(`b${String(i)}`)).then(() => {
            acknowledged.set(path, `b${String(i)}`);
            return 'put';
          })
        : client.barrierGet(`sys/a/${String(i % 50)}`).then((v) => {
            assert.equal(text(v), `a${String(i % 50)}`);
            return 'get';
          });
    });
    void workers[0]?.terminate();
    const results = await Promise.allSettled(calls);

    const rejected = results.filter((r) => r.status === 'rejected');
    assert.ok(rejected.length > 0, 'the kill came mid-traffic');
    for (const r of rejected)
      assert.ok(isCode('sealed')(r.reason), String(r.reason));

    // A fresh worker answers, sealed, and unseals with the same password.
    let status;
    for (let i = 0; i < 100 && status === undefined; i++) {
      status = await client.status().catch(() => undefined);
      if (status === undefined) await sleep(20);
    }
    assert.deepEqual(status, { state: 'sealed' });
    assert.equal(client.restarts, 1);
    assert.equal(workers.length, 2);
    await assert.rejects(client.barrierGet('sys/a/1'), isCode('sealed'));
    await client.unseal(PASSWORD);
    for (const [path, value] of acknowledged) {
      assert.equal(text(await client.barrierGet(path)), value, path);
    }
  });

  it('gives each of 1,000 calls the right value or sealed around a seal', async () => {
    const client = await start();
    await client.init(PASSWORD);
    for (let i = 0; i < 100; i++) {
      await client.barrierPut(`sys/c/${String(i)}`, bytes(`c${String(i)}`));
    }

    type Outcome = { kind: 'ok' } | { kind: 'sealed' };
    const puts = new Map<string, Promise<Outcome>>();
    const calls: Promise<Outcome>[] = [];
    let seal: Promise<unknown> = Promise.resolve();
    for (let i = 0; i < 1000; i++) {
      if (i === 500) seal = client.seal();
      const outcome = (p: Promise<void>): Promise<Outcome> =>
        p.then(
          (): Outcome => ({ kind: 'ok' }),
          (err: unknown): Outcome => {
            assert.ok(isCode('sealed')(err), String(err));
            return { kind: 'sealed' };
          },
        );
      if (i % 3 === 0) {
        const path = `sys/w/${String(i)}`;
        const call = outcome(
          client.barrierPut(path, bytes(`w${String(i)}`)).then(() => undefined),
        );
        puts.set(path, call);
        calls.push(call);
      } else {
        const n = i % 100;
        calls.push(
          outcome(
            client.barrierGet(`sys/c/${String(n)}`).then((v) => {
              assert.equal(text(v), `c${String(n)}`);
            }),
          ),
        );
      }
    }
    const outcomes = await Promise.all(calls);
    await seal;
    const ok = outcomes.filter((o) => o.kind === 'ok').length;
    assert.ok(ok > 0 && ok < 1000, `${String(ok)} of 1000 succeeded`);

    await client.unseal(PASSWORD);
    for (const [path, call] of puts) {
      const stored = text(await client.barrierGet(path));
      const expected = (await call).kind === 'ok' ? `w${path.slice(6)}` : null;
      assert.equal(stored, expected, path);
    }
  });

  it('times out a call the worker never answers', async () => {
    const silent: CreateWorker = () =>
      new Worker(
        `const { parentPort } = require('node:worker_threads');
         parentPort.postMessage(
           { event: 'ready', state: 'sealed', engineTypes: [] });
         parentPort.on('message', () => {});`,
        { eval: true },
      );
    const client = await KeyWorkerClient.start({
      worker: workerOptions(dir),
      createWorker: silent,
      timeoutMs: 200,
      slowTimeoutMs: 200,
    });
    clients.push(client);
    await assert.rejects(
      client.status(),
      (err: unknown) =>
        isCode('worker_timeout')(err) && (err as MetacryptError).status === 503,
    );
  });

  it('refuses calls after close', async () => {
    const client = await start();
    await client.init(PASSWORD);
    await client.close();
    await assert.rejects(client.status(), isCode('sealed'));
  });

  it('answers a large batch in parts, each reply to its own call', async () => {
    // Replies leave the worker in parts of at most 16 so that the main
    // thread can send more work while the worker finishes a batch.
    const replyBatches: number[] = [];
    const counting: CreateWorker = (file, options) => {
      const worker = new Worker(file, { workerData: options });
      worker.on('message', (message: unknown) => {
        if (Array.isArray(message)) replyBatches.push(message.length);
      });
      return worker;
    };
    const client = await start({ createWorker: counting });
    await client.init(PASSWORD);
    const paths = Array.from({ length: 64 }, (_, i) => `sys/b/${String(i)}`);
    await Promise.all(paths.map((p) => client.barrierPut(p, bytes(p))));

    replyBatches.length = 0;
    const values = await Promise.all(paths.map((p) => client.barrierGet(p)));
    assert.deepEqual(values.map(text), paths);
    assert.equal(
      replyBatches.reduce((a, b) => a + b, 0),
      64,
    );
    assert.ok(replyBatches.length >= 4, `batches: ${replyBatches.join()}`);
    assert.ok(
      Math.max(...replyBatches) <= 16,
      `batches: ${replyBatches.join()}`,
    );
  });

  it('survives messages that are not requests, and names an unknown op', async () => {
    const workers: Worker[] = [];
    const keeping: CreateWorker = (file, options) => {
      const worker = new Worker(file, { workerData: options });
      workers.push(worker);
      return worker;
    };
    const client = await start({ createWorker: keeping });
    await client.init(PASSWORD);
    await client.barrierPut('sys/kept', bytes('kept'));

    const worker = workers[0];
    assert.ok(worker !== undefined);
    worker.postMessage('not a batch');
    worker.postMessage([null, 5, 'x', { op: 'status' }, { id: 'one' }]);
    await assert.rejects(
      client.call('no.such.op' as 'status', {}),
      (err: unknown) =>
        isCode('bad_request')(err) &&
        (err as Error).message === 'key worker: unknown operation "no.such.op"',
    );

    assert.equal(text(await client.barrierGet('sys/kept')), 'kept');
    assert.equal((await client.status()).state, 'unsealed');
    assert.equal(client.restarts, 0);
  });
});
