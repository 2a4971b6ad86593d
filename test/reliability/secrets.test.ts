// Part 8, secrets in memory and logs: after a seal every key buffer the
// key worker held is zero, and no password, token, key or plaintext the
// server was handed appears in any line it or the identity server wrote.
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';

import { SecretScanner } from '../fixtures/secret-scan.js';
import { Harness } from '../server/harness.js';
import { arenaAfterSeal } from './secrets-arena.js';
import { secretsWorkload } from './secrets-workload.js';

describe('secrets in memory', () => {
  it('zeroes every key buffer at seal: MEK, DEKs, transit keys of every type', async () => {
    const report = await arenaAfterSeal(2);

    // The arena held the real keys: the check looked at the right thing.
    assert.ok(report.mekHeld, 'the MEK was in the arena');
    assert.equal(report.deks, report.rounds + 3, 'system, transit, notes');
    assert.equal(report.deksHeld, report.deks);
    assert.equal(report.transitVersions, 2 * report.keyTypes.length);
    assert.equal(report.transitVersionsHeld, report.transitVersions);
    assert.ok(report.heldBeforeSeal > report.transitVersions);

    // After the seal: nothing held, nothing left.
    assert.equal(report.heldAfterSeal, 0);
    assert.ok(report.buffersChecked > report.heldBeforeSeal);
    assert.equal(report.nonZero, 0);
    assert.ok(report.passwords >= 8);
    assert.equal(report.passwordsNonZero, 0);
  });
});

describe('secrets in logs: the scanner', () => {
  it('finds a secret in every form a log line could hold it, and no other', () => {
    const scanner = new SecretScanner();
    const password = 'pass "word" with quotes';
    const key = Buffer.alloc(32, 7).toString('base64');
    const pem = generateKeyPairSync('ed25519')
      .privateKey.export({ format: 'pem', type: 'pkcs8' })
      .toString();
    const text = 'PLAINTEXT marker text';
    scanner.add(password, 'password');
    scanner.add(key, 'key');
    scanner.add(pem, 'key');
    scanner.add(Buffer.from(text).toString('base64'), 'plaintext');

    const der = Buffer.from(
      pem
        .split('\n')
        .filter((l) => l !== '' && !l.startsWith('-----'))
        .join(''),
      'base64',
    );
    const lines = [
      `{"msg":"x","password":${JSON.stringify(password)}}`,
      `{"url":"/v1/x?p=${encodeURIComponent(password)}"}`,
      `{"key":"${Buffer.alloc(32, 7).toString('hex')}"}`,
      `{"key":"${Buffer.alloc(32, 7).toString('base64url')}"}`,
      `{"pem":${JSON.stringify(pem)}}`,
      `{"der":"${der.toString('hex')}"}`,
      `{"text":"${text}"}`,
      '{"msg":"request","path":"/v1/engine/request","status":200}',
      '{"password":"[REDACTED]","key":"[bytes 32]"}',
    ];
    const hits = scanner.scan(lines);
    assert.deepEqual(
      hits.map((hit) => hit.line),
      [0, 1, 2, 3, 4, 5, 6],
    );
    assert.ok(hits.every((hit) => !hit.redacted.includes(password)));
    assert.equal(hits[2]?.kind, 'key');
  });
});

describe('secrets in logs: the server', () => {
  let h: Harness;
  let admin: string;

  before(async () => {
    ({ h, admin } = await Harness.startReady());
  });

  after(async () => {
    await h.close();
  });

  it('writes no password, token, key or plaintext to any log line', async () => {
    const report = await secretsWorkload(h, admin, 1);

    assert.ok(report.requests > 40, String(report.requests));
    assert.ok((report.statuses['4xx'] ?? 0) > 10, 'refusals were tried');
    assert.equal(report.statuses['5xx'], 1, 'the one planned crash');
    assert.ok(report.scan.lines > report.requests);
    assert.ok(report.scan.secrets > 40, String(report.scan.secrets));
    assert.deepEqual(
      report.scan.hits.map((hit) => `${hit.kind}: ${hit.redacted}`),
      [],
    );

    // The scan reads what the server writes: a request id a client
    // chose is logged, and a scanner told of it finds it there.
    const id = `SCAN-CHECK-${randomUUID()}`;
    await h.call('GET', '/v1/status', { headers: { 'x-request-id': id } });
    const check = new SecretScanner();
    check.add(id, 'other');
    assert.ok(check.scan(h.logLines).length >= 1);
  });
});
