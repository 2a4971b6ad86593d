// assertPlainData: what a key worker reply may hold, the location each
// refusal names, and why the transport alone would not drop a key.
import assert from 'node:assert/strict';
import { createSecretKey, KeyObject, randomBytes } from 'node:crypto';
import type { webcrypto } from 'node:crypto';
import { describe, it } from 'node:test';
import { MessageChannel } from 'node:worker_threads';

import { assertPlainData } from '../../src/keyworker/plain-data.js';

type CryptoKey = webcrypto.CryptoKey;

/** refusalOf runs assertPlainData on value and returns its TypeError. */
function refusalOf(value: unknown, where?: string): TypeError {
  try {
    if (where === undefined) assertPlainData(value);
    else assertPlainData(value, where);
  } catch (err) {
    assert.ok(err instanceof TypeError, `not a TypeError: ${String(err)}`);
    assert.match(err.message, /^key worker: .* not plain data$/);
    return err;
  }
  assert.fail('expected assertPlainData to refuse the value');
}

function aesKey(): Promise<CryptoKey> {
  return crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, [
    'encrypt',
  ]);
}

/** roundTrip posts value through a fresh MessageChannel and returns it. */
async function roundTrip(value: unknown): Promise<unknown> {
  const { port1, port2 } = new MessageChannel();
  try {
    const received = new Promise<unknown>((resolve) => {
      port2.once('message', resolve);
    });
    port1.postMessage(value);
    return await received;
  } finally {
    port1.close();
    port2.close();
  }
}

class Holder {
  readonly bytes = new Uint8Array([1]);
}

class Bytes extends Uint8Array {}

describe('assertPlainData', () => {
  it('accepts null, strings, finite numbers and booleans', () => {
    for (const value of [null, '', 'text', 0, -0, 1.5, -1e300, true, false]) {
      assert.doesNotThrow(() => {
        assertPlainData(value);
      });
    }
  });

  it('accepts nested arrays, plain and null-prototype objects and bytes', () => {
    const bare = Object.create(null) as Record<string, unknown>;
    bare.value = new Uint8Array([1, 2, 3]);
    const reply = {
      state: 'unsealed',
      list: [['a', 'b'], [], [1, [2, [3, null]]]],
      bare,
      nested: { a: { b: { c: Buffer.from('ciphertext') } } },
      empty: {},
      bytes: new Uint8Array(0),
    };
    assert.doesNotThrow(() => {
      assertPlainData(reply);
    });
    assert.doesNotThrow(() => {
      assertPlainData(Buffer.alloc(16));
    });
  });

  it('refuses a KeyObject, naming where it sits', () => {
    const key = createSecretKey(randomBytes(32));
    const err = refusalOf({ a: [1, key] });
    assert.equal(
      err.message,
      'key worker: reply.a[1] is an object of type SecretKeyObject, ' +
        'not plain data',
    );
  });

  it('refuses a non-extractable WebCrypto CryptoKey', async () => {
    const key = await aesKey();
    assert.equal(key.extractable, false);
    const err = refusalOf({ value: { key } });
    assert.equal(
      err.message,
      'key worker: reply.value.key is an object of type CryptoKey, ' +
        'not plain data',
    );
  });

  it('refuses a Map, a Date, a class instance and an Error', () => {
    const cases: [unknown, string][] = [
      [new Map([['k', 'v']]), 'Map'],
      [new Set([1]), 'Set'],
      [new Date(0), 'Date'],
      [new Holder(), 'Holder'],
      [new Error('x'), 'Error'],
      [/re/, 'RegExp'],
      [new ArrayBuffer(8), 'ArrayBuffer'],
    ];
    for (const [value, type] of cases) {
      assert.equal(
        refusalOf({ x: value }).message,
        `key worker: reply.x is an object of type ${type}, not plain data`,
      );
    }
  });

  it('refuses functions, bigints, symbols and undefined', () => {
    const cases: [unknown, string][] = [
      [() => 1, 'a function'],
      [10n, 'a bigint'],
      [Symbol('s'), 'a symbol'],
      [undefined, 'a undefined'],
    ];
    for (const [value, what] of cases) {
      assert.equal(
        refusalOf([value]).message,
        `key worker: reply[0] is ${what}, not plain data`,
      );
    }
  });

  it('refuses NaN and the infinities', () => {
    for (const value of [NaN, Infinity, -Infinity]) {
      assert.equal(
        refusalOf({ n: value }).message,
        'key worker: reply.n is a non-finite number, not plain data',
      );
    }
  });

  it('refuses a cycle', () => {
    const loop: Record<string, unknown> = { a: 1 };
    loop.self = { back: loop };
    assert.equal(
      refusalOf(loop).message,
      'key worker: reply.self.back is a cycle, not plain data',
    );
    const list: unknown[] = [];
    list.push(list);
    assert.match(refusalOf(list).message, /reply\[0\] is a cycle/);
  });

  it('accepts the same object reached twice, which is not a cycle', () => {
    // Structured clone copies a shared reference fine; only a loop back to
    // an ancestor is a cycle.
    const shared = { bytes: new Uint8Array([1]) };
    const empty = new Uint8Array(0);
    assert.doesNotThrow(() => {
      assertPlainData({ first: shared, second: shared });
    });
    assert.doesNotThrow(() => {
      assertPlainData([empty, empty]);
    });
  });

  it('refuses a Uint8Array subclass and other views', () => {
    assert.equal(
      refusalOf({ b: new Bytes(4) }).message,
      'key worker: reply.b is a Uint8Array subclass, not plain data',
    );
    const cases: [unknown, string][] = [
      [new Float64Array(2), 'Float64Array'],
      [new DataView(new ArrayBuffer(4)), 'DataView'],
      [new Uint8ClampedArray(2), 'Uint8ClampedArray'],
      [new Uint16Array(2), 'Uint16Array'],
    ];
    for (const [value, type] of cases) {
      assert.equal(
        refusalOf({ b: value }).message,
        `key worker: reply.b is an object of type ${type}, not plain data`,
      );
    }
  });

  it('finds a key hidden deep inside an object', () => {
    const key = createSecretKey(randomBytes(32));
    const value = {
      keys: [{ id: 'engine/transit', versions: [{ v: 1, material: key }] }],
    };
    assert.equal(
      refusalOf(value, 'result').message,
      'key worker: result.keys[0].versions[0].material is an object of ' +
        'type SecretKeyObject, not plain data',
    );
  });

  it('refuses an array that carries a key in a non-index property', async () => {
    // Structured clone copies an array's own non-index properties, so this
    // key would cross postMessage next to the array's elements.
    const key = createSecretKey(randomBytes(32));
    const list = Object.assign(['a'], { hidden: key });
    const received = (await roundTrip(list)) as { hidden?: unknown };
    assert.ok(received.hidden instanceof KeyObject);
    const err = refusalOf({ list });
    assert.match(err.message, /reply\.list\.hidden is an object of type/);
  });
});

describe('structured clone without the check', () => {
  it('carries a KeyObject across a MessageChannel intact', async () => {
    const bytes = randomBytes(32);
    const key = createSecretKey(bytes);
    const received = await roundTrip({ key });
    const { key: got } = received as { key: unknown };
    assert.ok(got instanceof KeyObject);
    assert.notEqual(got, key);
    assert.deepEqual(got.export(), bytes);
  });

  it('carries a non-extractable CryptoKey that can still encrypt', async () => {
    const key = await aesKey();
    const received = await roundTrip({ key });
    const { key: got } = received as { key: CryptoKey };
    assert.notEqual(got, key);
    assert.equal(got.extractable, false);
    assert.deepEqual(got.algorithm, { name: 'AES-GCM', length: 256 });
    const iv = randomBytes(12);
    const plaintext = Buffer.from('still usable');
    // Same key, same nonce: the same ciphertext proves the same key bytes.
    const theirs = await crypto.subtle.encrypt(
      { name: 'AES-GCM', iv },
      got,
      plaintext,
    );
    const ours = await crypto.subtle.encrypt(
      { name: 'AES-GCM', iv },
      key,
      plaintext,
    );
    assert.equal(theirs.byteLength, plaintext.length + 16);
    assert.deepEqual(Buffer.from(theirs), Buffer.from(ours));
  });
});
