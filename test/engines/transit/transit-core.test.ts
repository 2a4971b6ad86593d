// Transit's crypto in the key worker, checked against independent code:
// signatures verified by node:crypto and by openssl, HMACs and ciphertexts
// recomputed from exported keys and the documented layout; rotation,
// minimum versions, rewrap, and one distinct error per broken ciphertext.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  createDecipheriv,
  createHmac,
  createPrivateKey,
  createPublicKey,
  verify,
} from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { MetacryptError } from '../../../src/errors/index.js';
import type { JsonObject } from '../../../src/engine/json.js';
import { b64, openTransit, str } from './transit-scratch.js';
import type { Transit } from './transit-scratch.js';

function refusal(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof MetacryptError, String(err));
    return { code: err.code, message: err.message };
  }
  assert.fail('expected a refusal');
}

// The bytes after `metacrypt:v<n>:` of a value.
function payloadOf(value: string): Buffer {
  return Buffer.from(value.slice(value.indexOf(':', 11) + 1), 'base64');
}

function withPayload(value: string, payload: Buffer): string {
  return (
    value.slice(0, value.indexOf(':', 11) + 1) + payload.toString('base64')
  );
}

describe('transit core', () => {
  let t: Transit;
  let scratch: string;

  before(async () => {
    t = await openTransit();
    scratch = mkdtempSync(join(tmpdir(), 'metacrypt-transit-'));
  });

  after(async () => {
    await t.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('creates aes256-gcm keys by default and describes them without key bytes', () => {
    const created = t.run('create-key', { name: 'k1' });
    assert.equal(created.type, 'aes256-gcm');
    assert.equal(created.latest_version, 1);
    assert.equal(created.exportable, false);
    assert.equal(created.deletion_allowed, false);
    assert.equal(created.supports_encryption, true);
    assert.deepEqual(Object.keys(created.versions as object), ['1']);
    assert.deepEqual(t.run('get-key', { name: 'k1' }), created);
    assert.deepEqual(t.run('list-keys').keys, ['k1']);
    assert.deepEqual(
      refusal(() => t.run('create-key', { name: 'k1' })),
      {
        code: 'already_exists',
        message: 'key k1 already exists',
      },
    );
    assert.equal(
      refusal(() => t.run('get-key', { name: 'nope' })).code,
      'not_found',
    );
  });

  it('decrypts what it encrypted, for both AEAD types, with and without context', () => {
    for (const type of ['aes256-gcm', 'chacha20-poly1305']) {
      const name = `aead-${type}`;
      t.run('create-key', { name, type });
      for (const context of [undefined, b64('tenant-7')]) {
        const enc = t.run('encrypt', {
          name,
          plaintext: b64('attack at dawn'),
          ...(context === undefined ? {} : { context }),
        });
        assert.match(str(enc, 'ciphertext'), /^metacrypt:v1:[A-Za-z0-9+/=]+$/);
        assert.equal(enc.key_version, 1);
        const dec = t.run('decrypt', {
          name,
          ciphertext: str(enc, 'ciphertext'),
          ...(context === undefined ? {} : { context }),
        });
        assert.deepEqual(dec, { plaintext: b64('attack at dawn') });
      }
      const again = t.run('encrypt', { name, plaintext: b64('same') });
      const twice = t.run('encrypt', { name, plaintext: b64('same') });
      assert.notEqual(again.ciphertext, twice.ciphertext);
    }
  });

  it('writes ciphertexts in the documented layout, which opens with the exported key', () => {
    for (const [type, cipher] of [
      ['aes256-gcm', 'aes-256-gcm'],
      ['chacha20-poly1305', 'chacha20-poly1305'],
    ] as const) {
      const name = `known-${type}`;
      t.run('create-key', { name, type, exportable: true });
      const exported = t.run('export-key', { name, type: 'encryption-key' });
      const key = Buffer.from(str(exported.keys as JsonObject, '1'), 'base64');
      assert.equal(key.length, 32);

      const context = Buffer.from('ctx');
      const enc = t.run('encrypt', {
        name,
        plaintext: b64('known answer'),
        context: context.toString('base64'),
      });
      const payload = payloadOf(str(enc, 'ciphertext'));
      assert.equal(payload[0], 0x02);
      const nonce = payload.subarray(1, 13);
      const body = payload.subarray(13, payload.length - 16);
      const tag = payload.subarray(payload.length - 16);
      const aad = Buffer.concat([
        Buffer.from(`metacrypt:transit:${name}:v1`),
        Buffer.of(0, 0x02),
        context,
      ]);
      const decipher = createDecipheriv(cipher, key, nonce, {
        authTagLength: 16,
      } as never) as ReturnType<typeof createDecipheriv> & {
        setAAD(aad: Buffer, options: object): void;
        setAuthTag(tag: Buffer): void;
      };
      decipher.setAAD(aad, { plaintextLength: body.length });
      decipher.setAuthTag(tag);
      const plain = Buffer.concat([decipher.update(body), decipher.final()]);
      assert.equal(plain.toString(), 'known answer');
    }
  });

  it('signs so that node:crypto and openssl verify with the public key', () => {
    const message = Buffer.from('a message to sign');
    for (const [type, digest, dgst] of [
      ['ed25519', null, null],
      ['ecdsa-p256', 'sha256', '-sha256'],
      ['ecdsa-p384', 'sha384', '-sha384'],
    ] as const) {
      const name = `sig-${type}`;
      t.run('create-key', { name, type });
      const info = t.run('get-key', { name });
      assert.equal(info.supports_signing, true);
      const pem = str((info.versions as JsonObject)['1'] ?? {}, 'public_key');
      assert.match(pem, /^-----BEGIN PUBLIC KEY-----/);

      const signed = t.run('sign', { name, input: message.toString('base64') });
      const signature = payloadOf(str(signed, 'signature'));
      const publicKey = createPublicKey(pem);
      assert.ok(verify(digest, message, publicKey, signature), type);
      assert.ok(!verify(digest, Buffer.from('another'), publicKey, signature));

      // openssl, a verifier that shares no code with ours.
      const files = {
        pub: join(scratch, `${name}.pem`),
        data: join(scratch, `${name}.txt`),
        sig: join(scratch, `${name}.sig`),
      };
      writeFileSync(files.pub, pem);
      writeFileSync(files.data, message);
      writeFileSync(files.sig, signature);
      const args =
        dgst === null
          ? [
              'pkeyutl',
              '-verify',
              '-pubin',
              '-inkey',
              files.pub,
              '-rawin',
              '-in',
              files.data,
              '-sigfile',
              files.sig,
            ]
          : [
              'dgst',
              dgst,
              '-verify',
              files.pub,
              '-signature',
              files.sig,
              files.data,
            ];
      const out = execFileSync('openssl', args, { encoding: 'utf8' });
      assert.match(out, /Verified OK|Signature Verified Successfully/, out);

      const checked = t.run('verify', {
        name,
        input: message.toString('base64'),
        signature: str(signed, 'signature'),
      });
      assert.deepEqual(checked, { valid: true });
      const wrong = t.run('verify', {
        name,
        input: b64('tampered message'),
        signature: str(signed, 'signature'),
      });
      assert.deepEqual(wrong, { valid: false });
    }
  });

  it('exports a signing key that node:crypto can use', () => {
    t.run('create-key', {
      name: 'sig-export',
      type: 'ecdsa-p256',
      exportable: true,
    });
    const exported = t.run('export-key', {
      name: 'sig-export',
      type: 'signing-key',
    });
    const pem = str(exported.keys as JsonObject, '1');
    const privateKey = createPrivateKey(pem);
    const info = t.run('get-key', { name: 'sig-export' });
    const publicPem = str(
      (info.versions as JsonObject)['1'] ?? {},
      'public_key',
    );
    assert.equal(
      createPublicKey(privateKey).export({ format: 'pem', type: 'spki' }),
      publicPem,
    );
  });

  it('computes HMACs that match node:crypto with the exported key', () => {
    for (const [type, algorithm, bytes] of [
      ['hmac-sha256', 'sha256', 32],
      ['hmac-sha512', 'sha512', 64],
    ] as const) {
      const name = `mac-${type}`;
      t.run('create-key', { name, type, exportable: true });
      const key = Buffer.from(
        str(
          t.run('export-key', { name, type: 'hmac-key' }).keys as JsonObject,
          '1',
        ),
        'base64',
      );
      assert.equal(key.length, bytes);
      const input = Buffer.from('some data');
      const mac = t.run('hmac', { name, input: input.toString('base64') });
      const expected = createHmac(algorithm, key).update(input).digest();
      assert.deepEqual(payloadOf(str(mac, 'hmac')), expected);
      assert.deepEqual(
        t.run('verify-hmac', {
          name,
          input: input.toString('base64'),
          hmac: str(mac, 'hmac'),
        }),
        { valid: true },
      );
      assert.deepEqual(
        t.run('verify-hmac', {
          name,
          input: b64('other'),
          hmac: str(mac, 'hmac'),
        }),
        { valid: false },
      );
    }
  });

  it('refuses an operation the key type does not support', () => {
    t.run('create-key', { name: 'only-sign', type: 'ed25519' });
    assert.deepEqual(
      refusal(() =>
        t.run('encrypt', { name: 'only-sign', plaintext: b64('x') }),
      ),
      {
        code: 'bad_request',
        message: 'key only-sign (ed25519) cannot encrypt',
      },
    );
    assert.deepEqual(
      refusal(() => t.run('sign', { name: 'k1', input: b64('x') })),
      { code: 'bad_request', message: 'key k1 (aes256-gcm) cannot sign' },
    );
    assert.deepEqual(
      refusal(() => t.run('hmac', { name: 'k1', input: b64('x') })),
      { code: 'bad_request', message: 'key k1 (aes256-gcm) cannot hmac' },
    );
  });

  it('decrypts old versions after rotation until the minimum is raised', () => {
    t.run('create-key', { name: 'rot' });
    const v1 = str(
      t.run('encrypt', { name: 'rot', plaintext: b64('one') }),
      'ciphertext',
    );
    const rotated = t.run('rotate-key', { name: 'rot' });
    assert.equal(rotated.latest_version, 2);
    const v2 = t.run('encrypt', { name: 'rot', plaintext: b64('two') });
    assert.equal(v2.key_version, 2);
    assert.match(str(v2, 'ciphertext'), /^metacrypt:v2:/);
    assert.deepEqual(t.run('decrypt', { name: 'rot', ciphertext: v1 }), {
      plaintext: b64('one'),
    });

    // Rewrap moves v1 to v2 inside the worker: the reply has no plaintext.
    const rewrapped = t.run('rewrap', { name: 'rot', ciphertext: v1 });
    assert.deepEqual(Object.keys(rewrapped).sort(), [
      'ciphertext',
      'key_version',
    ]);
    assert.match(str(rewrapped, 'ciphertext'), /^metacrypt:v2:/);

    t.run('update-key-config', { name: 'rot', min_decryption_version: 2 });
    assert.deepEqual(
      refusal(() => t.run('decrypt', { name: 'rot', ciphertext: v1 })),
      {
        code: 'invalid_ciphertext',
        message:
          'ciphertext version 1 is below the minimum decryption version 2 of key rot',
      },
    );
    assert.deepEqual(
      t.run('decrypt', {
        name: 'rot',
        ciphertext: str(rewrapped, 'ciphertext'),
      }),
      { plaintext: b64('one') },
    );

    // Trimming removes version 1 for good.
    const trimmed = t.run('trim-key', { name: 'rot' });
    assert.equal(trimmed.min_available_version, 2);
    assert.deepEqual(Object.keys(trimmed.versions as object), ['2']);
    assert.equal(
      refusal(() => t.run('decrypt', { name: 'rot', ciphertext: v1 })).message,
      'ciphertext version 1 was trimmed from key rot',
    );
    assert.equal(
      refusal(() =>
        t.run('update-key-config', { name: 'rot', min_decryption_version: 1 }),
      ).code,
      'bad_request',
    );
  });

  it('gives each broken ciphertext its own clear error', () => {
    t.run('create-key', { name: 'brk' });
    const good = str(
      t.run('encrypt', {
        name: 'brk',
        plaintext: b64('secret'),
        context: b64('c1'),
      }),
      'ciphertext',
    );
    const plain = str(
      t.run('encrypt', { name: 'brk', plaintext: b64('secret') }),
      'ciphertext',
    );
    const flipped = payloadOf(plain);
    flipped[20] = (flipped[20] ?? 0) ^ 0x01;

    const cases: [JsonObject, string, string][] = [
      [
        { ciphertext: withPayload(plain, flipped) },
        'decryption_failed',
        'decryption failed: the ciphertext has been altered',
      ],
      [
        { ciphertext: withPayload(plain, payloadOf(plain).subarray(0, 20)) },
        'invalid_ciphertext',
        'ciphertext is truncated',
      ],
      [
        { ciphertext: plain.replace('metacrypt:v1:', 'metacrypt:v9:') },
        'invalid_ciphertext',
        'ciphertext version 9 does not exist for key brk (latest is 1)',
      ],
      [
        { ciphertext: good, context: b64('c2') },
        'decryption_failed',
        'decryption failed: wrong context, or the ciphertext has been altered',
      ],
      [
        { ciphertext: good },
        'decryption_failed',
        'context required: the ciphertext was made with a context',
      ],
      [
        { ciphertext: plain, context: b64('c1') },
        'decryption_failed',
        'context not expected: the ciphertext was made without one',
      ],
      [
        { ciphertext: 'vault:v1:abcd' },
        'invalid_ciphertext',
        'ciphertext: not a metacrypt value (metacrypt:v<version>:<base64>)',
      ],
      [
        { ciphertext: 'metacrypt:v1:not*base64' },
        'invalid_ciphertext',
        'ciphertext: the part after the version is not base64',
      ],
    ];
    for (const [data, code, message] of cases) {
      assert.deepEqual(
        refusal(() => t.run('decrypt', { name: 'brk', ...data })),
        {
          code,
          message,
        },
      );
    }
    // A ciphertext of one key does not open under another.
    t.run('create-key', { name: 'brk2' });
    assert.equal(
      refusal(() => t.run('decrypt', { name: 'brk2', ciphertext: plain })).code,
      'decryption_failed',
    );
  });

  it('makes data keys, wrapped, and plaintext only when asked', () => {
    const wrapped = t.run('datakey', {
      name: 'k1',
      type: 'wrapped',
      bits: 128,
    });
    assert.deepEqual(Object.keys(wrapped).sort(), [
      'ciphertext',
      'key_version',
    ]);
    const plain = t.run('datakey', {
      name: 'k1',
      type: 'plaintext',
      bits: 512,
    });
    assert.equal(Buffer.from(str(plain, 'plaintext'), 'base64').length, 64);
    assert.deepEqual(
      t.run('decrypt', { name: 'k1', ciphertext: str(plain, 'ciphertext') }),
      {
        plaintext: str(plain, 'plaintext'),
      },
    );
    const unwrapped = t.run('decrypt', {
      name: 'k1',
      ciphertext: str(wrapped, 'ciphertext'),
    });
    assert.equal(Buffer.from(str(unwrapped, 'plaintext'), 'base64').length, 16);
  });

  it('deletes a key only when deletion is allowed, and exports only exportable keys', () => {
    t.run('create-key', { name: 'del' });
    assert.equal(
      refusal(() => t.run('delete-key', { name: 'del' })).message,
      'deletion is not allowed for key del; set deletion_allowed first',
    );
    assert.deepEqual(
      refusal(() =>
        t.run('export-key', { name: 'del', type: 'encryption-key' }),
      ),
      {
        code: 'bad_request',
        message: 'key del is not exportable',
      },
    );
    t.run('update-key-config', {
      name: 'del',
      deletion_allowed: true,
      exportable: true,
    });
    assert.equal(
      refusal(() =>
        t.run('update-key-config', { name: 'del', exportable: false }),
      ).code,
      'bad_request',
    );
    assert.equal(
      refusal(() => t.run('export-key', { name: 'del', type: 'signing-key' }))
        .message,
      'type: key del (aes256-gcm) has no signing-key to export',
    );
    assert.deepEqual(t.run('delete-key', { name: 'del' }), { deleted: 'del' });
    assert.equal(
      refusal(() => t.run('get-key', { name: 'del' })).code,
      'not_found',
    );
    assert.deepEqual(t.vault.machine.barrier.list('engine/t/keys/del/'), []);
  });

  it('answers a batch item by item, errors in their place', () => {
    const good = str(
      t.run('encrypt', { name: 'k1', plaintext: b64('ok') }),
      'ciphertext',
    );
    const reply = t.run('decrypt', {
      name: 'k1',
      batch_input: [
        { ciphertext: good },
        { ciphertext: 'garbage' },
        { ciphertext: good, context: b64('x') },
        { ciphertext: good },
      ],
    });
    assert.deepEqual(reply.batch_results, [
      { plaintext: b64('ok') },
      {
        error:
          'ciphertext: not a metacrypt value (metacrypt:v<version>:<base64>)',
        code: 'invalid_ciphertext',
      },
      {
        error: 'context not expected: the ciphertext was made without one',
        code: 'decryption_failed',
      },
      { plaintext: b64('ok') },
    ]);
  });

  it('batches sign, verify, hmac and rewrap too', () => {
    t.run('create-key', { name: 'b-sig', type: 'ecdsa-p256' });
    t.run('create-key', { name: 'b-mac', type: 'hmac-sha512' });
    const inputs = ['one', 'two', 'three'].map(b64);
    const signed = t.run('sign', {
      name: 'b-sig',
      batch_input: inputs.map((input) => ({ input })),
    }).batch_results as JsonObject[];
    assert.equal(signed.length, 3);
    const checked = t.run('verify', {
      name: 'b-sig',
      batch_input: [
        {
          input: inputs[0] ?? '',
          signature: str(signed[0] ?? {}, 'signature'),
        },
        {
          input: inputs[0] ?? '',
          signature: str(signed[1] ?? {}, 'signature'),
        },
        { input: inputs[2] ?? '', signature: 'not a signature' },
      ],
    }).batch_results;
    assert.deepEqual(checked, [
      { valid: true },
      { valid: false },
      {
        error:
          'signature: not a metacrypt value (metacrypt:v<version>:<base64>)',
        code: 'bad_request',
      },
    ]);
    const macs = t.run('hmac', {
      name: 'b-mac',
      batch_input: inputs.map((input) => ({ input })),
    }).batch_results as JsonObject[];
    assert.equal(new Set(macs.map((m) => str(m, 'hmac'))).size, 3);

    const v1 = str(
      t.run('encrypt', { name: 'k1', plaintext: b64('r') }),
      'ciphertext',
    );
    t.run('rotate-key', { name: 'k1' });
    const rewrapped = t.run('rewrap', {
      name: 'k1',
      batch_input: [{ ciphertext: v1 }, { ciphertext: 'metacrypt:v1:AAAA' }],
    }).batch_results as JsonObject[];
    assert.match(str(rewrapped[0] ?? {}, 'ciphertext'), /^metacrypt:v2:/);
    assert.equal(rewrapped[1]?.code, 'invalid_ciphertext');
  });

  it('stores key material only inside the barrier, sealed', () => {
    t.run('create-key', { name: 'stored', exportable: true });
    const key = Buffer.from(
      str(
        t.run('export-key', { name: 'stored', type: 'encryption-key' })
          .keys as JsonObject,
        '1',
      ),
      'base64',
    );
    const rows = t.vault.db
      .prepare<[], { ciphertext: Buffer }>(
        'SELECT ciphertext FROM barrier_entries',
      )
      .all();
    assert.ok(rows.length > 5);
    for (const row of rows) assert.equal(row.ciphertext.indexOf(key), -1);
    const meta = t.vault.machine.barrier.get('engine/t/keys/stored/meta');
    assert.ok(meta !== null);
    assert.equal(meta.indexOf(key.toString('base64')), -1);
  });
});
