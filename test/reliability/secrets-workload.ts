// A workload that hands the server every kind of secret there is, on the
// paths that work and on those that fail (where a careless error message
// or log line would echo one), logging at debug: seal passwords right and
// wrong, MCIAS passwords and tokens, transit plaintexts with distinctive
// markers, exported keys of every type, the vault's own keys read from
// the file, and the web UI's forms. The harness then scans every line.
import { randomUUID } from 'node:crypto';

import {
  KEY_PURPOSE,
  TRANSIT_KEY_TYPES,
} from '../../src/engines/transit/key-type-names.js';
import { devUser } from '../fixtures/identity-process.js';
import { PASSWORD, readRealKeys } from '../keyworker/vault-scratch.js';
import type { Harness, LogScan } from '../server/harness.js';
import { UiClient } from '../server/ui/ui-client.js';

/** WorkloadReport is what the workload did and what the scan found. */
export interface WorkloadReport {
  readonly requests: number;
  /** Replies by status class: `2xx`, `4xx`, `5xx`. */
  readonly statuses: Readonly<Record<string, number>>;
  readonly scan: LogScan;
}

// A marker is unmistakable in a log line and never occurs by chance.
function marker(what: string): string {
  return `${what}-MARKER-${randomUUID()}`;
}

const b64 = (text: string): string => Buffer.from(text).toString('base64');

/**
 * secretsWorkload runs rounds of the workload on the unsealed vault of
 * h (with admin logged in) and scans the logs. A transit mount and a
 * notes mount are made on the first round.
 */
export async function secretsWorkload(
  h: Harness,
  admin: string,
  rounds: number,
): Promise<WorkloadReport> {
  const statuses: Record<string, number> = {};
  let requests = 0;
  const call = async (
    method: string,
    path: string,
    options: Parameters<Harness['call']>[2] = {},
  ): Promise<unknown> => {
    const reply = await h.call(method, path, options);
    requests++;
    const group = `${String(reply.status).slice(0, 1)}xx`;
    statuses[group] = (statuses[group] ?? 0) + 1;
    return reply.body;
  };
  const engine = (token: string, operation: string, data: unknown) =>
    call('POST', '/v1/engine/request', {
      token,
      json: { mount: 'transit', operation, data },
    });

  // Step 1: the mounts, a key of every type, and alice's rule.
  await call('POST', '/v1/engine/mount', {
    token: admin,
    json: { name: 'transit', type: 'transit' },
  });
  await call('POST', '/v1/engine/mount', {
    token: admin,
    json: { name: 'notes', type: 'notes' },
  });
  for (const type of TRANSIT_KEY_TYPES) {
    await engine(admin, 'create-key', { name: type, type, exportable: true });
  }
  await call('POST', '/v1/policy/rules', {
    token: admin,
    json: {
      id: 'alice-transit',
      priority: 1,
      effect: 'allow',
      usernames: ['alice'],
      resources: ['engine/*/*'],
      actions: ['any'],
    },
  });

  for (let round = 0; round < rounds; round++) {
    const alice = await h.login('alice');
    await useEveryKey(call, engine, alice, admin);
    await failWithSecrets(h, call, admin);
    await sealPasswords(h, call, admin);
    await throughTheUi(h);
    await call('POST', '/v1/auth/logout', { token: alice });
    await call('GET', '/v1/auth/tokeninfo', { token: alice });
  }

  // Step 2: the vault's own keys, which must never leave the worker, and
  // every transit key version, straight from the file.
  const real = await readRealKeys(`${h.dir}/vault.db`);
  for (const key of [real.kwk, real.mek, ...real.deks.values()]) {
    h.secret(key.toString('base64'), 'key');
    key.fill(0);
  }
  for (const [path, value] of real.entries) {
    if (/^engine\/[^/]+\/keys\//.test(path) && !path.endsWith('/meta')) {
      h.secret(value.toString('base64'), 'key');
    }
    value.fill(0);
  }
  return { requests, statuses, scan: h.scanLogs() };
}

type Call = (
  method: string,
  path: string,
  options?: Parameters<Harness['call']>[2],
) => Promise<unknown>;
type Engine = (
  token: string,
  operation: string,
  data: unknown,
) => Promise<unknown>;

// Every operation of every key type, as alice, with marked plaintexts,
// one at a time and batched, generic and typed; then every export.
async function useEveryKey(
  call: Call,
  engine: Engine,
  alice: string,
  admin: string,
): Promise<void> {
  for (const name of TRANSIT_KEY_TYPES) {
    const purpose = KEY_PURPOSE[name];
    const input = b64(marker('PLAINTEXT'));
    if (purpose === 'encryption') {
      const { ciphertext } = (await engine(alice, 'encrypt', {
        name,
        plaintext: input,
      })) as { ciphertext: string };
      await engine(alice, 'decrypt', { name, ciphertext });
      await engine(alice, 'rewrap', { name, ciphertext });
      await engine(alice, 'datakey', { name, type: 'plaintext' });
      await call('POST', `/v1/transit/transit/encrypt/${name}`, {
        token: alice,
        json: {
          batch_input: [
            { plaintext: b64(marker('BATCH')) },
            { plaintext: b64(marker('BATCH')) },
          ],
        },
      });
    } else if (purpose === 'signing') {
      const { signature } = (await engine(alice, 'sign', {
        name,
        input,
      })) as { signature: string };
      await engine(alice, 'verify', { name, input, signature });
    } else {
      const { hmac } = (await engine(alice, 'hmac', { name, input })) as {
        hmac: string;
      };
      await call('POST', `/v1/transit/transit/verify-hmac/${name}`, {
        token: alice,
        json: { input, hmac },
      });
    }
  }
  for (const name of TRANSIT_KEY_TYPES) {
    const kind = `${KEY_PURPOSE[name]}-key`;
    await engine(admin, 'export-key', { name, type: kind });
  }
}

// Requests that fail while carrying a secret: malformed, oversized, with
// unknown fields, bad tokens, wrong passwords, a crash in an engine.
async function failWithSecrets(
  h: Harness,
  call: Call,
  admin: string,
): Promise<void> {
  const hidden = marker('HIDDEN');
  h.secret(hidden, 'password');
  const raw = [
    `{"password":"${hidden}"`,
    `{"password":"${hidden}","colour":"blue"}`,
    `{"password":["${hidden}"]}`,
    `{"password":"${hidden}"}${'x'.repeat(2_000_000)}`,
  ];
  for (const body of raw) await call('POST', '/v1/init', { raw: body });
  await call('POST', '/v1/unseal', { json: { password: hidden, extra: 1 } });

  // MCIAS passwords: wrong ones, unknown users, a right one misplaced.
  const guess = marker('LOGIN');
  h.secret(guess, 'password');
  await call('POST', '/v1/auth/login', {
    json: { username: 'alice', password: guess },
  });
  await call('POST', '/v1/auth/login', {
    json: { username: marker('USER'), password: guess },
  });
  await call('POST', '/v1/auth/login', {
    json: { username: 'alice', password: devUser('alice').password, x: 1 },
  });

  // Tokens that are not: well formed, too long, with a bad character.
  for (const token of [
    marker('TOKEN'),
    `${marker('TOKEN')}${'A'.repeat(9_000)}`,
    `${marker('TOKEN')}!`,
  ]) {
    h.secret(token, 'token');
    await call('GET', '/v1/auth/tokeninfo', { token });
  }

  // Transit refusals that hold a plaintext or a ciphertext.
  const plaintext = b64(marker('PLAINTEXT'));
  await call('POST', '/v1/engine/request', {
    token: admin,
    json: {
      mount: 'transit',
      operation: 'encrypt',
      data: { name: 'no-such-key', plaintext },
    },
  });
  await call('POST', '/v1/engine/request', {
    token: admin,
    json: {
      mount: 'transit',
      operation: 'encrypt',
      data: { name: 'aes256-gcm', plaintext, colour: plaintext },
    },
  });
  await call('POST', '/v1/engine/request', {
    token: admin,
    json: {
      mount: 'transit',
      operation: 'decrypt',
      data: { name: 'aes256-gcm', ciphertext: `metacrypt:v1:${plaintext}` },
    },
  });

  // An unplanned error in an engine: a 500 whose detail is logged.
  await call('POST', '/v1/engine/request', {
    token: admin,
    json: { mount: 'notes', operation: 'crash', data: {} },
  });
}

// The seal password at rekey, MEK rotation, seal and unseal, right and
// wrong, ending where it began.
async function sealPasswords(
  h: Harness,
  call: Call,
  admin: string,
): Promise<void> {
  const next = marker('SEAL');
  const wrong = marker('WRONG');
  h.secret(next, 'password');
  h.secret(wrong, 'password');
  await call('POST', '/v1/rekey', {
    token: admin,
    json: { old_password: wrong, new_password: next },
  });
  await call('POST', '/v1/rekey', {
    token: admin,
    json: { old_password: PASSWORD, new_password: next },
  });
  await call('POST', '/v1/barrier/rotate-mek', {
    token: admin,
    json: { password: next },
  });
  await call('POST', '/v1/rekey', {
    token: admin,
    json: { old_password: next, new_password: PASSWORD },
  });
  await call('POST', '/v1/seal', { token: admin });
  await call('POST', '/v1/unseal', { json: { password: wrong } });
  await call('POST', '/v1/unseal', { json: { password: PASSWORD } });
}

// The web UI: a wrong and a right login, a marked text encrypted and
// decrypted through the forms, and a logout.
async function throughTheUi(h: Harness): Promise<void> {
  const ui = new UiClient(h);
  await ui.get('/login');
  await ui.post('/login', { username: 'alice', password: marker('UI') });
  await ui.login('alice');
  const text = marker('UI-PLAINTEXT');
  h.secret(text, 'plaintext');
  const encrypted = await ui.post('/dashboard/transit/transit/encrypt', {
    key: 'aes256-gcm',
    plaintext: text,
  });
  const ciphertext = /metacrypt:v\d+:[A-Za-z0-9+/=]+/.exec(encrypted.text)?.[0];
  if (ciphertext === undefined) throw new Error('the UI did not encrypt');
  const decrypted = await ui.post('/dashboard/transit/transit/decrypt', {
    key: 'aes256-gcm',
    ciphertext,
  });
  if (!decrypted.text.includes(text)) throw new Error('the UI did not decrypt');
  await ui.post('/logout');
}
