// The server the bad-input fuzz attacks: an unsealed vault with a transit
// mount, one key of each purpose, values they made, and one policy rule;
// and a snapshot of everything stored, to show the fuzz changed nothing.
import assert from 'node:assert/strict';

import { MAX_JSON_DEPTH } from '../../src/server/middleware/json-body.js';
import { Harness } from '../server/harness.js';
import type { Reply } from '../server/harness.js';
import type { BodyLimits } from './fuzz-bodies.js';
import type { Who } from './fuzz-case.js';
import { FUZZ_MOUNT, FUZZ_RULE_ID } from './fuzz-endpoint.js';
import { ALICE_ACTIONS, FUZZ_KEYS } from './fuzz-transit-fields.js';
import type { KnownValues } from './fuzz-transit-fields.js';

/**
 * FUZZ_LIMIT_BYTES is the target's max_request_bytes: small, so an
 * oversized body costs little to send, and bodies near it get tried.
 */
export const FUZZ_LIMIT_BYTES = 8192;

// The plaintext and context of the known values (not secrets).
const PLAINTEXT = Buffer.from('fuzz: a value that must keep opening').toString(
  'base64',
);
const CONTEXT = Buffer.from('tenant-fuzz').toString('base64');
const INPUT = Buffer.from('fuzz: signed').toString('base64');

/** FuzzTarget is a running server set up for the fuzz. */
export interface FuzzTarget {
  readonly h: Harness;
  readonly tokens: Readonly<Record<Who, string>>;
  readonly known: KnownValues;
  readonly limits: BodyLimits;
}

async function ok(
  reply: Promise<Reply>,
  status = 200,
): Promise<Record<string, unknown>> {
  const done = await reply;
  assert.equal(done.status, status, done.text);
  return (done.body ?? {}) as Record<string, unknown>;
}

/**
 * startFuzzTarget starts the harness and sets the vault up. The address
 * rate limit is at its maximum: the fuzz sends thousands of inits and
 * logins a minute on purpose, and rate limiting is part 5's subject.
 */
export async function startFuzzTarget(): Promise<FuzzTarget> {
  const { h, admin, alice } = await Harness.startReady({
    config: {
      server: { max_request_bytes: FUZZ_LIMIT_BYTES, auth_rate_limit: 100_000 },
    },
  });
  try {
    const as = { token: admin };
    const transit = (op: string, key: string, json: unknown): Promise<Reply> =>
      h.call('POST', `/v1/transit/${FUZZ_MOUNT}/${op}/${key}`, { ...as, json });

    // Step 1: the mount, a key of each purpose, and alice's rule.
    await ok(
      h.call('POST', '/v1/engine/mount', {
        ...as,
        json: { name: FUZZ_MOUNT, type: 'transit' },
      }),
      201,
    );
    await ok(transit('create-key', FUZZ_KEYS.aes, {}));
    await ok(transit('create-key', FUZZ_KEYS.sign, { type: 'ed25519' }));
    await ok(transit('create-key', FUZZ_KEYS.mac, { type: 'hmac-sha256' }));
    await ok(
      h.call('POST', '/v1/policy/rules', {
        ...as,
        json: {
          id: FUZZ_RULE_ID,
          priority: 10,
          effect: 'allow',
          usernames: ['alice'],
          resources: [`engine/${FUZZ_MOUNT}/*`],
          actions: ALICE_ACTIONS,
        },
      }),
      201,
    );

    // Step 2: values the fuzz mutates and the snapshot opens again.
    const sealed = await ok(
      transit('encrypt', FUZZ_KEYS.aes, { plaintext: PLAINTEXT }),
    );
    const bound = await ok(
      transit('encrypt', FUZZ_KEYS.aes, {
        plaintext: PLAINTEXT,
        context: CONTEXT,
      }),
    );
    const signed = await ok(transit('sign', FUZZ_KEYS.sign, { input: INPUT }));
    const maced = await ok(transit('hmac', FUZZ_KEYS.mac, { input: INPUT }));
    const known: KnownValues = {
      ciphertext: String(sealed.ciphertext),
      withContext: String(bound.ciphertext),
      context: CONTEXT,
      signature: String(signed.signature),
      hmac: String(maced.hmac),
    };
    return {
      h,
      tokens: { admin, alice },
      known,
      limits: { limitBytes: FUZZ_LIMIT_BYTES, maxDepth: MAX_JSON_DEPTH },
    };
  } catch (err) {
    await h.close();
    throw err;
  }
}

/**
 * storedState reads back everything the fuzz must not change: the seal
 * state, rules, mounts, data keys, transit keys, that the known values
 * still open and verify, that both tokens still work, and that no wrong
 * seal password was ever counted.
 */
export async function storedState(
  target: FuzzTarget,
): Promise<Record<string, unknown>> {
  const { h, tokens, known } = target;
  const admin = { token: tokens.admin };
  const transit = (
    op: string,
    key: string,
    json: unknown,
  ): Promise<Record<string, unknown>> =>
    ok(
      h.call('POST', `/v1/transit/${FUZZ_MOUNT}/${op}/${key}`, {
        ...admin,
        json,
      }),
    );
  const keys: Record<string, unknown> = {};
  for (const name of Object.values(FUZZ_KEYS))
    keys[name] = await transit('get-key', name, {});
  const metrics = await h.call('GET', '/v1/metrics', admin);
  const failures = /^metacrypt_unseal_failures_total (\d+)$/m.exec(
    metrics.text,
  )?.[1];
  return {
    status: await ok(h.call('GET', '/v1/status')),
    rules: await ok(h.call('GET', '/v1/policy/rules', admin)),
    mounts: await ok(h.call('GET', '/v1/engine/mounts', admin)),
    barrierKeys: await ok(h.call('GET', '/v1/barrier/keys', admin)),
    keyNames: await ok(
      h.call('POST', `/v1/transit/${FUZZ_MOUNT}/list-keys`, admin),
    ),
    keys,
    opened: await transit('decrypt', FUZZ_KEYS.aes, {
      ciphertext: known.ciphertext,
    }),
    openedWithContext: await transit('decrypt', FUZZ_KEYS.aes, {
      ciphertext: known.withContext,
      context: known.context,
    }),
    signature: await transit('verify', FUZZ_KEYS.sign, {
      input: INPUT,
      signature: known.signature,
    }),
    hmac: await transit('verify-hmac', FUZZ_KEYS.mac, {
      input: INPUT,
      hmac: known.hmac,
    }),
    adminToken: (await ok(h.call('GET', '/v1/auth/tokeninfo', admin))).username,
    aliceToken: (
      await ok(h.call('GET', '/v1/auth/tokeninfo', { token: tokens.alice }))
    ).username,
    unsealFailures: failures,
  };
}
