// The `metacrypt transit` commands, run as real processes against a real
// server: keys, a byte-exact round trip of text, files and stdin, the
// context, signatures and their exit codes, and HMACs.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';

import { runBytes } from '../fixtures/cli-bytes.js';
import type { CliResult } from '../fixtures/cli-process.js';
import { readyCliTarget } from '../fixtures/cli-target.js';
import { TLS_FILES } from '../fixtures/tls-files.js';

// Every byte value, then random ones: what a text path would mangle.
const BINARY = Buffer.concat([
  Buffer.from(Array.from({ length: 256 }, (_, i) => i)),
  randomBytes(4096),
  Buffer.from([0x0d, 0x0a, 0x00]),
]);

const VALUE = /^metacrypt:v\d+:[A-Za-z0-9+/=]+$/;

describe('metacrypt transit', () => {
  const target = readyCliTarget();
  const { home: cli, as, asAdmin } = target;

  const transit = (...args: string[]): Promise<CliResult> =>
    cli.run(['transit', ...args, ...asAdmin()]);
  const encryptText = async (...args: string[]): Promise<string> => {
    const run = await transit('encrypt', ...args);
    assert.equal(run.status, 0, run.stderr);
    return run.stdout.trim();
  };

  before(async () => {
    for (const name of ['transit', 'vault2']) {
      const reply = await target.h.call('POST', '/v1/engine/mount', {
        token: target.admin,
        json: { name, type: 'transit' },
      });
      assert.equal(reply.status, 201, reply.text);
    }
  });

  it('creates keys, saying what it made, or printing the key with --json', async () => {
    const text = await transit('create-key', 'orders');
    assert.equal(text.status, 0, text.stderr);
    assert.equal(
      text.stdout,
      'Created key orders (aes256-gcm, version 1) on mount transit.\n',
    );

    const json = await transit(
      'create-key',
      'exports',
      '--type',
      'chacha20-poly1305',
      '--exportable',
      '--deletion-allowed',
      '--json',
    );
    assert.equal(json.status, 0, json.stderr);
    const key = JSON.parse(json.stdout) as Record<string, unknown>;
    assert.equal(key.name, 'exports');
    assert.equal(key.type, 'chacha20-poly1305');
    assert.equal(key.exportable, true);
    assert.equal(key.deletion_allowed, true);
    assert.equal(key.latest_version, 1);

    for (const [name, type] of [
      ['releases', 'ed25519'],
      ['webhooks', 'hmac-sha256'],
    ] as const) {
      const run = await transit('create-key', name, '-t', type);
      assert.equal(run.status, 0, run.stderr);
    }
  });

  it("refuses what the server refuses, with the server's message", async () => {
    const again = await transit('create-key', 'orders');
    assert.equal(again.status, 1);
    assert.equal(again.stderr.trim(), 'key orders already exists');

    const user = await cli.run([
      'transit',
      'create-key',
      'mine',
      ...as(target.alice),
    ]);
    assert.equal(user.status, 1);
    assert.equal(user.stderr.trim(), 'forbidden');

    const noKey = await transit('encrypt', 'nope', '--plaintext', 'x');
    assert.equal(noKey.status, 1);
    assert.equal(noKey.stderr.trim(), 'key nope not found');
  });

  it('refuses an unknown key type before calling the server', async () => {
    const run = await transit('create-key', 'k', '--type', 'rot13', '--json');

    assert.equal(run.status, 1);
    assert.equal(
      (JSON.parse(run.stdout) as { code: string }).code,
      'cli_usage',
    );
  });

  it('encrypts --plaintext and decrypts it back, nothing added', async () => {
    const ciphertext = await encryptText(
      'orders',
      '--plaintext',
      'hello world',
    );
    assert.match(ciphertext, VALUE);

    const run = await transit('decrypt', 'orders', '--ciphertext', ciphertext);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, 'hello world');
  });

  it('round-trips binary bytes through stdin, exactly', async () => {
    const enc = await runBytes(
      cli,
      ['transit', 'encrypt', 'orders', '--file', '-', ...asAdmin()],
      BINARY,
    );
    assert.equal(enc.status, 0, enc.stderr);
    const ciphertext = enc.stdout.toString('utf8');
    assert.match(ciphertext.trim(), VALUE);

    // The ciphertext comes back in on stdin too, newline and all.
    const dec = await runBytes(
      cli,
      ['transit', 'decrypt', 'orders', '--file', '-', ...asAdmin()],
      Buffer.from(ciphertext),
    );
    assert.equal(dec.status, 0, dec.stderr);
    assert.ok(dec.stdout.equals(BINARY), 'the bytes differ');
  });

  it('round-trips a binary file, and gives base64 with --json', async () => {
    const plain = join(cli.dir, 'secret.bin');
    const sealed = join(cli.dir, 'secret.bin.enc');
    writeFileSync(plain, BINARY);

    const ciphertext = await encryptText('orders', '--file', plain);
    writeFileSync(sealed, `${ciphertext}\n`);

    const dec = await runBytes(cli, [
      'transit',
      'decrypt',
      'orders',
      '-f',
      sealed,
      ...asAdmin(),
    ]);
    assert.equal(dec.status, 0, dec.stderr);
    assert.ok(dec.stdout.equals(BINARY), 'the bytes differ');

    const json = await transit('decrypt', 'orders', '-f', sealed, '--json');
    assert.equal(json.status, 0, json.stderr);
    assert.deepEqual(JSON.parse(json.stdout), {
      plaintext: BINARY.toString('base64'),
    });
  });

  it('needs the same --context to decrypt', async () => {
    const ciphertext = await encryptText(
      'orders',
      '--plaintext',
      'hello world',
      '--context',
      'tenant-42',
    );

    const none = await transit('decrypt', 'orders', '--ciphertext', ciphertext);
    assert.equal(none.status, 1);
    assert.equal(
      none.stderr.trim(),
      'context required: the ciphertext was made with a context',
    );

    const wrong = await transit(
      'decrypt',
      'orders',
      '--ciphertext',
      ciphertext,
      '--context',
      'tenant-43',
      '--json',
    );
    assert.equal(wrong.status, 1);
    assert.deepEqual(JSON.parse(wrong.stdout), {
      error:
        'decryption failed: wrong context, or the ciphertext has been altered',
      code: 'decryption_failed',
    });

    const right = await transit(
      'decrypt',
      'orders',
      '--ciphertext',
      ciphertext,
      '--context',
      'tenant-42',
    );
    assert.equal(right.status, 0, right.stderr);
    assert.equal(right.stdout, 'hello world');
  });

  it('encrypts with an older --key-version when told', async () => {
    const rotate = await target.h.call(
      'POST',
      '/v1/transit/transit/rotate-key/orders',
      {
        token: target.admin,
      },
    );
    assert.equal(rotate.status, 200, rotate.text);

    const latest = await transit(
      'encrypt',
      'orders',
      '--plaintext',
      'x',
      '--json',
    );
    assert.equal(latest.status, 0, latest.stderr);
    const out = JSON.parse(latest.stdout) as {
      ciphertext: string;
      key_version: number;
    };
    assert.equal(out.key_version, 2);
    assert.match(out.ciphertext, /^metacrypt:v2:/);

    const older = await encryptText(
      'orders',
      '--plaintext',
      'x',
      '--key-version',
      '1',
    );
    assert.match(older, /^metacrypt:v1:/);
  });

  it('uses the key on another --mount', async () => {
    const made = await transit('create-key', 'orders', '--mount', 'vault2');
    assert.equal(made.status, 0, made.stderr);
    assert.match(made.stdout, /on mount vault2\./);

    const ciphertext = await encryptText(
      'orders',
      '-m',
      'vault2',
      '--plaintext',
      'hi',
    );
    const here = await transit(
      'decrypt',
      'orders',
      '-m',
      'vault2',
      '--ciphertext',
      ciphertext,
    );
    assert.equal(here.stdout, 'hi');

    // Same key name, another mount: another key, so the tag fails.
    const there = await transit(
      'decrypt',
      'orders',
      '--ciphertext',
      ciphertext,
    );
    assert.equal(there.status, 1);
    assert.match(there.stderr, /^decryption failed/);
  });

  it('signs, and verify answers 0 for valid and 2 for invalid', async () => {
    const sign = await transit('sign', 'releases', '--input', 'release 1.0.0');
    assert.equal(sign.status, 0, sign.stderr);
    const signature = sign.stdout.trim();
    assert.match(signature, VALUE);

    const valid = await transit(
      'verify',
      'releases',
      '--input',
      'release 1.0.0',
      '--signature',
      signature,
    );
    assert.equal(valid.status, 0, valid.stderr);
    assert.equal(valid.stdout, 'valid\n');

    const invalid = await transit(
      'verify',
      'releases',
      '--input',
      'release 1.0.1',
      '--signature',
      signature,
    );
    assert.equal(invalid.status, 2, invalid.stderr);
    assert.equal(invalid.stdout, 'invalid\n');

    const json = await transit(
      'verify',
      'releases',
      '--input',
      'release 1.0.1',
      '-s',
      signature,
      '--json',
    );
    assert.equal(json.status, 2, json.stderr);
    assert.deepEqual(JSON.parse(json.stdout), { valid: false });
  });

  it('signs and verifies a binary file; a bad signature exits 1', async () => {
    const path = join(cli.dir, 'release.bin');
    writeFileSync(path, BINARY);

    const sign = await transit('sign', 'releases', '--file', path, '--json');
    assert.equal(sign.status, 0, sign.stderr);
    const { signature } = JSON.parse(sign.stdout) as { signature: string };

    const fromStdin = await runBytes(
      cli,
      [
        'transit',
        'verify',
        'releases',
        '-f',
        '-',
        '-s',
        signature,
        ...asAdmin(),
      ],
      BINARY,
    );
    assert.equal(fromStdin.status, 0, fromStdin.stderr);
    assert.equal(fromStdin.stdout.toString(), 'valid\n');

    const broken = await transit(
      'verify',
      'releases',
      '--file',
      path,
      '--signature',
      'not-a-signature',
    );
    assert.equal(broken.status, 1);
    assert.match(broken.stderr, /not a metacrypt value/);
  });

  it('computes an HMAC the server then accepts', async () => {
    const run = await transit(
      'hmac',
      'webhooks',
      '--input',
      '{"event":"paid"}',
    );
    assert.equal(run.status, 0, run.stderr);
    const hmac = run.stdout.trim();
    assert.match(hmac, VALUE);

    const check = await target.h.call(
      'POST',
      '/v1/transit/transit/verify-hmac/webhooks',
      {
        token: target.admin,
        json: {
          input: Buffer.from('{"event":"paid"}').toString('base64'),
          hmac,
        },
      },
    );
    assert.deepEqual(check.body, { valid: true });

    const piped = await runBytes(
      cli,
      ['transit', 'hmac', 'webhooks', '--file', '-', '--json', ...asAdmin()],
      Buffer.from('{"event":"paid"}'),
    );
    assert.equal(piped.status, 0, piped.stderr);
    assert.deepEqual(JSON.parse(piped.stdout.toString()), {
      hmac,
      key_version: 1,
    });
  });

  it('takes the input one way only, and names a file it cannot read', async () => {
    const both = await transit(
      'encrypt',
      'orders',
      '--plaintext',
      'x',
      '--file',
      'y',
    );
    assert.equal(both.status, 1);
    assert.match(
      both.stderr,
      /^--file cannot also be provided when using --plaintext; .*\(see --help\)\n$/,
    );

    const neither = await transit('hmac', 'webhooks', '--json');
    assert.equal(neither.status, 1);
    assert.deepEqual(JSON.parse(neither.stdout), {
      error:
        'Exactly one of the following must be provided: --file, --input ' +
        '(see --help)',
      code: 'cli_usage',
    });

    const noName = await transit('verify', '--input', 'x', '-s', 'y');
    assert.equal(noName.status, 1);
    assert.equal(noName.stderr, 'Missing 1 required arg: name (see --help)\n');

    const missing = await transit(
      'sign',
      'releases',
      '--file',
      join(cli.dir, 'nope'),
    );
    assert.equal(missing.status, 1);
    assert.equal(
      missing.stderr.trim(),
      `--file ${join(cli.dir, 'nope')}: no such file or directory`,
    );
  });

  it('reads the server and token from the environment', async () => {
    const run = await cli.run(
      ['transit', 'encrypt', 'orders', '--plaintext', 'x'],
      {
        env: {
          METACRYPT_ADDR: target.url,
          METACRYPT_CA_CERT: TLS_FILES.caCert,
          METACRYPT_TOKEN: target.admin,
        },
      },
    );

    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout.trim(), VALUE);
  });

  it('ends a plaintext with a newline on a terminal only', async () => {
    const ciphertext = await encryptText('orders', '--plaintext', 'on screen');

    const run = await cli.runTty(
      [
        'transit',
        'decrypt',
        'orders',
        '--ciphertext',
        ciphertext,
        ...asAdmin(),
      ],
      [],
    );
    assert.equal(run.status, 0, run.output);
    assert.equal(run.output, 'on screen\r\n');
  });
});
