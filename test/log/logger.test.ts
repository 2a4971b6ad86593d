// The logger writes JSON lines at the configured level and redacts
// secrets at any depth; checked on the parsed lines of an in-memory sink.
import assert from 'node:assert/strict';
import { generateKeySync } from 'node:crypto';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';

import type { LogLevel } from '../../src/config/index.js';
import { MetacryptError } from '../../src/errors/index.js';
import {
  createLogger,
  isSensitiveField,
  REDACTED,
} from '../../src/log/index.js';
import type { Logger } from '../../src/log/index.js';

interface Sink {
  logger: Logger;
  lines: () => Record<string, unknown>[];
  text: () => string;
}

function sink(level: LogLevel = 'debug'): Sink {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done): void {
      chunks.push(chunk.toString('utf8'));
      done();
    },
  });
  const logger = createLogger({ level, stream });
  const text = (): string => chunks.join('');
  const lines = (): Record<string, unknown>[] =>
    text()
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { logger, lines, text };
}

// Winston writes on the next tick; wait for the stream to catch up.
const settle = (): Promise<void> => new Promise((r) => setImmediate(r));

const SECRETS = [
  'hunter2-password',
  'tok-abc123',
  'Bearer-value-xyz',
  'plain-text-here',
  'key-material-42',
  'shh-secret',
  'cookie-session-9',
];

describe('logger', () => {
  it('writes one JSON object per line with level, message and time', async () => {
    const { logger, lines } = sink();
    logger.info('vault unsealed', { mounts: 3 });
    await settle();
    const [line] = lines();
    assert.ok(line);
    assert.equal(line.level, 'info');
    assert.equal(line.message, 'vault unsealed');
    assert.equal(line.mounts, 3);
    assert.ok(!Number.isNaN(Date.parse(String(line.timestamp))));
  });

  it('drops lines below the configured level', async () => {
    const { logger, lines } = sink('warn');
    logger.debug('d');
    logger.info('i');
    logger.warn('w');
    logger.error('e');
    await settle();
    assert.deepEqual(
      lines().map((l) => l.level),
      ['warn', 'error'],
    );
  });

  it('redacts sensitive fields at any depth', async () => {
    const { logger, lines, text } = sink();
    logger.warn('request refused', {
      password: SECRETS[0],
      request: {
        headers: {
          authorization: `Bearer ${SECRETS[2]}`,
          'x-request-id': 'r1',
        },
        body: {
          token: SECRETS[1],
          items: [{ plaintext: SECRETS[3] }, { key: SECRETS[4], key_id: 'k1' }],
          deeper: { nested: { secret: SECRETS[5], cookie: SECRETS[6] } },
        },
      },
      old_password: 'x',
      newPassword: 'y',
    });
    await settle();
    for (const secret of SECRETS) {
      assert.ok(!text().includes(secret), `leaked ${secret}`);
    }
    const line = lines()[0] as {
      password: string;
      old_password: string;
      newPassword: string;
      request: {
        headers: Record<string, string>;
        body: {
          token: string;
          items: Record<string, string>[];
          deeper: { nested: Record<string, string> };
        };
      };
    };
    assert.equal(line.password, REDACTED);
    assert.equal(line.old_password, REDACTED);
    assert.equal(line.newPassword, REDACTED);
    assert.equal(line.request.headers.authorization, REDACTED);
    assert.equal(line.request.headers['x-request-id'], 'r1');
    assert.equal(line.request.body.token, REDACTED);
    assert.equal(line.request.body.items[0]?.plaintext, REDACTED);
    assert.equal(line.request.body.items[1]?.key, REDACTED);
    assert.equal(line.request.body.items[1].key_id, 'k1');
    assert.equal(line.request.body.deeper.nested.secret, REDACTED);
    assert.equal(line.request.body.deeper.nested.cookie, REDACTED);
  });

  it('redacts fields added by child loggers and bearer tokens in text', async () => {
    const { logger, lines, text } = sink();
    const child = logger.child({ module: 'auth', token: SECRETS[1] });
    child.info(`validating Bearer ${SECRETS[2]}`, {
      note: `Bearer ${SECRETS[2]}`,
    });
    await settle();
    const line = lines()[0];
    assert.ok(line);
    assert.equal(line.module, 'auth');
    assert.equal(line.token, REDACTED);
    assert.ok(!text().includes(SECRETS[1] ?? ''));
    assert.ok(!text().includes(SECRETS[2] ?? ''));
    assert.match(String(line.message), /Bearer \[REDACTED\]/);
  });

  it('never writes raw bytes or key objects', async () => {
    const { logger, lines, text } = sink();
    const keyBytes = Buffer.from('0123456789abcdef0123456789abcdef');
    logger.info('bytes', {
      buffer: keyBytes,
      view: new Uint8Array(keyBytes),
      keyObject: generateKeySync('aes', { length: 256 }),
    });
    await settle();
    const line = lines()[0];
    assert.ok(line);
    assert.equal(line.buffer, '[bytes 32]');
    assert.equal(line.view, '[bytes 32]');
    assert.equal(line.keyObject, '[key object]');
    assert.ok(!text().includes('0123456789abcdef'));
    assert.ok(!text().includes(keyBytes.toString('base64')));
  });

  it('logs errors with their code and survives cycles', async () => {
    const { logger, lines } = sink();
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    logger.error('failed', { err: new MetacryptError('sealed'), cyclic });
    await settle();
    const line = lines()[0] as {
      err: Record<string, string>;
      cyclic: Record<string, unknown>;
    };
    assert.equal(line.err.code, 'sealed');
    assert.equal(line.err.message, 'sealed');
    assert.equal(line.cyclic.self, '[circular]');
  });
});

describe('isSensitiveField', () => {
  it('matches the listed names and their compounds, not lookalikes', () => {
    const yes = [
      'password',
      'Password',
      'token',
      'authorization',
      'Authorization',
      'key',
      'plaintext',
      'secret',
      'old_password',
      'newPassword',
      'access_token',
      'api_key',
      'X-Api-Key',
      'client_secret',
      'totp_code',
    ];
    const no = [
      'key_id',
      'key_version',
      'keys',
      'token_count',
      'mount',
      'path',
    ];
    for (const name of yes) assert.ok(isSensitiveField(name), name);
    for (const name of no) assert.ok(!isSensitiveField(name), name);
  });
});
