// Transit through the API: the typed routes beside the generic request,
// input errors that name the field, policy per mount and per action, a
// 1,000-item batch, and many clients rotating and decrypting at once.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';

import { errorOf, Harness } from './harness.js';
import type { Reply } from './harness.js';

const b64 = (text: string): string => Buffer.from(text).toString('base64');

describe('transit through the API', () => {
  let h: Harness;
  let admin: string;
  let alice: string;

  before(async () => {
    ({ h, admin, alice } = await Harness.startReady());
    for (const [name, type] of [
      ['t1', 'transit'],
      ['t2', 'transit'],
      ['n', 'notes'],
    ]) {
      const reply = await h.call('POST', '/v1/engine/mount', {
        token: admin,
        json: { name, type },
      });
      assert.equal(reply.status, 201, reply.text);
    }
  });

  after(async () => {
    await h.close();
  });

  function typed(
    token: string,
    path: string,
    json: unknown = {},
  ): Promise<Reply> {
    return h.call('POST', `/v1/transit/${path}`, { token, json });
  }

  function generic(
    token: string,
    mount: string,
    operation: string,
    data: unknown,
  ): Promise<Reply> {
    return h.call('POST', '/v1/engine/request', {
      token,
      json: { mount, operation, data },
    });
  }

  it('serves the same operations on typed routes and the generic request', async () => {
    const created = await typed(admin, 't1/create-key/orders');
    assert.equal(created.status, 200, created.text);
    assert.equal((created.body as { name: string }).name, 'orders');

    const enc = await typed(admin, 't1/encrypt/orders', {
      plaintext: b64('hello'),
    });
    assert.equal(enc.status, 200);
    const { ciphertext } = enc.body as { ciphertext: string };
    const dec = await generic(admin, 't1', 'decrypt', {
      name: 'orders',
      ciphertext,
    });
    assert.deepEqual(dec.body, { plaintext: b64('hello') });

    const list = await typed(admin, 't1/list-keys');
    assert.deepEqual(list.body, { keys: ['orders'] });
  });

  it('names the bad field, on either route', async () => {
    const cases: [string, unknown, number, string][] = [
      [
        't1/encrypt/orders',
        { plaintext: 'not base64!' },
        400,
        'data.plaintext: must be base64',
      ],
      [
        't1/encrypt/orders',
        {},
        400,
        'data.plaintext: is required (or give batch_input)',
      ],
      [
        't1/encrypt/orders',
        { plaintext: b64('x'), batch_input: [{ plaintext: b64('y') }] },
        400,
        'data.batch_input: give batch_input or plaintext, not both',
      ],
      [
        't1/encrypt/orders',
        { plaintext: b64('x'), colour: 1 },
        400,
        'unknown field data.colour',
      ],
      [
        't1/encrypt/orders',
        { name: 'other', plaintext: b64('x') },
        400,
        'name: the key is named in the path; leave it out of the body',
      ],
      [
        't1/create-key/.hidden',
        {},
        400,
        'data.name: must be 1 to 128 letters, digits, ".", "_" or "-", not starting with "."',
      ],
      [
        't1/create-key/k9',
        { type: 'rsa-4096' },
        400,
        'data.type: must be one of aes256-gcm, chacha20-poly1305, ed25519, ' +
          'ecdsa-p256, ecdsa-p384, hmac-sha256, hmac-sha512',
      ],
      [
        't1/datakey/orders',
        { type: 'plaintext', bits: 100 },
        400,
        'data.bits: must be 128, 256 or 512',
      ],
      [
        't1/fly/orders',
        {},
        404,
        'operation "fly" not found on transit mount t1',
      ],
      [
        'n/encrypt/orders',
        { plaintext: b64('x') },
        404,
        'mount n is not a transit mount',
      ],
      [
        'ghost/encrypt/orders',
        { plaintext: b64('x') },
        404,
        'mount ghost not found',
      ],
      ['t1/encrypt/none', { plaintext: b64('x') }, 404, 'key none not found'],
    ];
    for (const [path, json, status, error] of cases) {
      const reply = await typed(admin, path, json);
      assert.equal(reply.status, status, `${path}: ${reply.text}`);
      assert.equal(errorOf(reply).error, error, path);
    }
  });

  it('lets a user allowed to encrypt on one mount do only that', async () => {
    await typed(admin, 't2/create-key/orders');
    const rule = await h.call('POST', '/v1/policy/rules', {
      token: admin,
      json: {
        id: 'alice-encrypts-t1',
        priority: 10,
        effect: 'allow',
        usernames: ['alice'],
        resources: ['engine/t1/*'],
        actions: ['encrypt'],
      },
    });
    assert.equal(rule.status, 201);

    const enc = await typed(alice, 't1/encrypt/orders', {
      plaintext: b64('x'),
    });
    assert.equal(enc.status, 200, enc.text);
    const { ciphertext } = enc.body as { ciphertext: string };
    const refused: [string, unknown][] = [
      ['t1/decrypt/orders', { ciphertext }],
      ['t1/sign/orders', { input: b64('x') }],
      ['t1/get-key/orders', {}],
      ['t1/create-key/mine', {}],
      ['t1/rotate-key/orders', {}],
      ['t1/export-key/orders', { type: 'encryption-key' }],
      ['t2/encrypt/orders', { plaintext: b64('x') }],
    ];
    for (const [path, json] of refused) {
      const reply = await typed(alice, path, json);
      assert.equal(reply.status, 403, path);
      assert.deepEqual(errorOf(reply), {
        error: 'forbidden',
        code: 'forbidden',
      });
    }
    const viaGeneric = await generic(alice, 't1', 'decrypt', {
      name: 'orders',
      ciphertext,
    });
    assert.equal(viaGeneric.status, 403);
  });

  it('answers a 1,000-item batch with the right result in each place', async () => {
    await typed(admin, 't1/create-key/batch');
    await typed(admin, 't1/create-key/batch-other');
    const plaintexts = Array.from({ length: 250 }, (_, i) =>
      b64(`item ${String(i)}`),
    );
    const enc = await typed(admin, 't1/encrypt/batch', {
      batch_input: plaintexts.map((plaintext) => ({ plaintext })),
    });
    assert.equal(enc.status, 200, enc.text);
    const ciphertexts = (
      enc.body as { batch_results: { ciphertext: string }[] }
    ).batch_results.map((r) => r.ciphertext);
    assert.equal(ciphertexts.length, 250);

    const other = await typed(admin, 't1/encrypt/batch-other', {
      plaintext: b64('other key'),
    });
    const foreign = (other.body as { ciphertext: string }).ciphertext;

    // Four kinds of item, interleaved: good, wrong key, broken, wrong context.
    type Expect = { plaintext: string } | { code: string };
    const items: { ciphertext: string; context?: string }[] = [];
    const expected: Expect[] = [];
    for (let i = 0; i < 1000; i++) {
      const j = i % 250;
      const c = ciphertexts[j] ?? '';
      switch (i % 4) {
        case 0:
          items.push({ ciphertext: c });
          expected.push({ plaintext: plaintexts[j] ?? '' });
          break;
        case 1:
          items.push({ ciphertext: foreign });
          expected.push({ code: 'decryption_failed' });
          break;
        case 2:
          items.push({ ciphertext: c.slice(0, 20) });
          expected.push({ code: 'invalid_ciphertext' });
          break;
        default:
          items.push({ ciphertext: c, context: b64('ctx') });
          expected.push({ code: 'decryption_failed' });
      }
    }
    const dec = await typed(admin, 't1/decrypt/batch', { batch_input: items });
    assert.equal(dec.status, 200, dec.text.slice(0, 200));
    const results = (dec.body as { batch_results: Record<string, string>[] })
      .batch_results;
    assert.equal(results.length, 1000);
    results.forEach((result, i) => {
      const want = expected[i];
      if (want !== undefined && 'plaintext' in want) {
        assert.deepEqual(result, want, `item ${String(i)}`);
      } else {
        assert.equal(result.code, want?.code, `item ${String(i)}`);
        assert.equal(typeof result.error, 'string');
      }
    });
  });

  it('never gives a wrong result while keys rotate and minimums rise', async () => {
    await typed(admin, 't1/create-key/busy');
    interface Made {
      ciphertext: string;
      plaintext: string;
      version: number;
    }
    const made: Made[] = [];
    let decrypted = 0;
    let refusedOld = 0;
    let rotations = 0;
    let operatorDone = false;

    // Bounded by counts, not by a clock: the operator rotates a fixed
    // number of times while the clients run, and the clients go on until
    // both outcomes have been seen often enough.
    const ROTATIONS = 12;
    const DECRYPTS = 150;
    const clientsDone = (): boolean =>
      operatorDone && decrypted >= DECRYPTS && refusedOld > 0;

    const client = async (): Promise<void> => {
      while (!clientsDone()) {
        const plaintext = randomBytes(24).toString('base64');
        const enc = await typed(admin, 't1/encrypt/busy', { plaintext });
        assert.equal(enc.status, 200, enc.text);
        const body = enc.body as { ciphertext: string; key_version: number };
        made.push({
          ciphertext: body.ciphertext,
          plaintext,
          version: body.key_version,
        });

        const pick = made[Math.floor(Math.random() * made.length)];
        if (pick === undefined) continue;
        const dec = await typed(admin, 't1/decrypt/busy', {
          ciphertext: pick.ciphertext,
        });
        if (dec.status === 200) {
          assert.deepEqual(dec.body, { plaintext: pick.plaintext });
          decrypted++;
          continue;
        }
        // The only other answer: the version fell below the minimum.
        assert.equal(dec.status, 400, dec.text);
        const { code, error } = errorOf(dec);
        assert.equal(code, 'invalid_ciphertext');
        const min = /minimum decryption version (\d+) of key busy$/.exec(error);
        assert.ok(min !== null, error);
        assert.ok(pick.version < Number(min[1]), error);
        refusedOld++;
      }
    };

    const operator = async (): Promise<void> => {
      for (let i = 0; i < ROTATIONS; i++) {
        const rotated = await typed(admin, 't1/rotate-key/busy');
        assert.equal(rotated.status, 200);
        rotations++;
        const latest = (rotated.body as { latest_version: number })
          .latest_version;
        if (latest % 3 === 0) {
          const raised = await typed(admin, 't1/update-key-config/busy', {
            min_decryption_version: latest - 2,
          });
          assert.equal(raised.status, 200, raised.text);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      operatorDone = true;
    };

    await Promise.all([operator(), ...Array.from({ length: 16 }, client)]);
    assert.equal(rotations, ROTATIONS);
    assert.ok(decrypted >= DECRYPTS, `decrypted: ${String(decrypted)}`);
    assert.ok(refusedOld > 0, `refused as too old: ${String(refusedOld)}`);
  });
});
