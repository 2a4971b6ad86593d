// Part 7, seal under load: rounds of seal and unseal by an admin while
// client loops encrypt and decrypt, then a check that every ciphertext
// answered along the way opens, with the same key, after the last unseal.
import { performance } from 'node:perf_hooks';

import { PASSWORD } from '../keyworker/vault-scratch.js';
import { Harness } from '../server/harness.js';
import type { Reply } from '../server/harness.js';
import { codeOf, LoadClient } from './load-client.js';
import { SealClients } from './seal-load-clients.js';
import type { Made, SealTally } from './seal-load-clients.js';

/** SealLoadOptions say how many clients and rounds, and how long each. */
export interface SealLoadOptions {
  readonly clients: number;
  readonly rounds: number;
  /** Correct results to wait for while unsealed, before each seal. */
  readonly correctPerPhase: number;
  /** 503 `sealed` replies to wait for while sealed, before each unseal. */
  readonly sealedPerPhase: number;
  /** The whole run fails if it has not finished by then (ms). */
  readonly timeoutMs: number;
}

/** SealRound is one round's seal and unseal, timed under the load. */
export interface SealRound {
  readonly sealMs: number;
  readonly unsealMs: number;
}

/** SealLoadResult is what the run found. */
export interface SealLoadResult {
  readonly tally: SealTally;
  readonly rounds: readonly SealRound[];
  /** Ciphertexts answered during the run, all decrypted at the end. */
  readonly verified: number;
  /** Of those, how many did not open to their plaintext. */
  readonly wrongAfter: number;
  /** The key's latest version at the end: 1, since it never rotates. */
  readonly keyVersion: number;
  /** Whether a fresh encrypt and decrypt worked after the run. */
  readonly freshWorks: boolean;
}

const MOUNT = 'transit';
const KEY = 'sealed-load';
const path = (op: string): string => `/v1/transit/${MOUNT}/${op}/${KEY}`;
// Batch decrypt takes up to 10,000 items; smaller calls keep each reply
// short.
const BATCH = 1_000;

/** runSealLoad runs the rounds against a fresh in-process server. */
export async function runSealLoad(
  options: SealLoadOptions,
): Promise<SealLoadResult> {
  const deadline = Date.now() + options.timeoutMs;
  const { h, admin, alice } = await Harness.startReady();
  const client = new LoadClient(h.url, options.clients);
  const clients = new SealClients(client, alice, path('{op}'));
  try {
    // Step 1: the key, and a rule that lets alice use it, so every call
    // goes through the token, policy and key worker as a user's does.
    await prepare(h, admin);

    // Step 2: the rounds. Each waits for results counted, not for time,
    // so a slow machine stretches the run instead of changing its shape.
    clients.start(options.clients);
    const rounds: SealRound[] = [];
    for (let i = 0; i < options.rounds; i++) {
      const before = { ...clients.tally };
      await clients.waitFor(
        `${String(options.correctPerPhase)} correct results`,
        (t) => t.correct >= before.correct + options.correctPerPhase,
        deadline,
      );
      const sealMs = await timed(h, 'POST', '/v1/seal', { token: admin });
      const sealedAt = clients.tally.sealed;
      await clients.waitFor(
        `${String(options.sealedPerPhase)} sealed replies`,
        (t) => t.sealed >= sealedAt + options.sealedPerPhase,
        deadline,
      );
      const unsealMs = await timed(h, 'POST', '/v1/unseal', {
        json: { password: PASSWORD },
      });
      rounds.push({ sealMs, unsealMs });
    }
    const last = clients.tally.correct;
    await clients.waitFor(
      'correct results after the last unseal',
      (t) => t.correct >= last + options.correctPerPhase,
      deadline,
    );
    await clients.stop();

    // Step 3: with the load stopped, everything answered opens.
    const wrongAfter = await decryptAll(h, alice, clients.made);
    return {
      tally: clients.tally,
      rounds,
      verified: clients.made.length,
      wrongAfter,
      keyVersion: await keyVersion(h, admin),
      freshWorks: await freshWorks(h, alice),
    };
  } finally {
    await clients.stop();
    client.close();
    // close() fails the run if any of these reached a log line.
    for (const m of clients.made.slice(0, 20)) h.secret(m.plaintext);
    await h.close();
  }
}

async function prepare(h: Harness, admin: string): Promise<void> {
  const steps: [string, string, unknown][] = [
    ['/v1/engine/mount', admin, { name: MOUNT, type: 'transit' }],
    [path('create-key'), admin, {}],
    [
      '/v1/policy/rules',
      admin,
      {
        id: 'alice-uses-sealed-load',
        priority: 10,
        effect: 'allow',
        usernames: ['alice'],
        resources: [`engine/${MOUNT}/*`],
        actions: ['encrypt', 'decrypt'],
      },
    ],
  ];
  for (const [to, token, json] of steps) {
    expectOk(await h.call('POST', to, { token, json }), to);
  }
}

// One admin call, which must succeed, and how long it took under load.
async function timed(
  h: Harness,
  method: string,
  to: string,
  options: { token?: string; json?: unknown },
): Promise<number> {
  const started = performance.now();
  expectOk(await h.call(method, to, options), to);
  return performance.now() - started;
}

// Counts the ciphertexts that do not open to their plaintext.
async function decryptAll(
  h: Harness,
  token: string,
  made: readonly Made[],
): Promise<number> {
  let wrong = 0;
  for (let i = 0; i < made.length; i += BATCH) {
    const part = made.slice(i, i + BATCH);
    const reply = await h.call('POST', path('decrypt'), {
      token,
      json: { batch_input: part.map((m) => ({ ciphertext: m.ciphertext })) },
    });
    expectOk(reply, 'batch decrypt');
    const { batch_results: results } = reply.body as {
      batch_results: { plaintext?: string }[];
    };
    part.forEach((m, j) => {
      if (results[j]?.plaintext !== m.plaintext) wrong += 1;
    });
  }
  return wrong;
}

async function keyVersion(h: Harness, admin: string): Promise<number> {
  const reply = await h.call('POST', path('get-key'), { token: admin });
  expectOk(reply, 'get-key');
  return (reply.body as { latest_version: number }).latest_version;
}

async function freshWorks(h: Harness, token: string): Promise<boolean> {
  const plaintext = Buffer.from('after the last unseal').toString('base64');
  const enc = await h.call('POST', path('encrypt'), {
    token,
    json: { plaintext },
  });
  if (enc.status !== 200) return false;
  const { ciphertext } = enc.body as { ciphertext: string };
  const dec = await h.call('POST', path('decrypt'), {
    token,
    json: { ciphertext },
  });
  return (
    dec.status === 200 &&
    (dec.body as { plaintext?: string }).plaintext === plaintext
  );
}

function expectOk(reply: Reply, what: string): void {
  if (reply.status >= 300) {
    const code = codeOf(reply.body) ?? '';
    throw new Error(`seal-load: ${what}: ${String(reply.status)} ${code}`);
  }
}
