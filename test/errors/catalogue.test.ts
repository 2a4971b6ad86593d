// The error catalogue, docs/ERRORS.md and the reply mapping agree.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

import {
  ConfigError,
  ERROR_CATALOGUE,
  errorReply,
  isErrorCode,
  MetacryptError,
} from '../../src/errors/index.js';
import { projectPath } from '../../src/paths.js';

interface DocRow {
  code: string;
  status: number;
  message: string;
}

function documentedCodes(): DocRow[] {
  const text = readFileSync(projectPath('docs', 'ERRORS.md'), 'utf8');
  const rows: DocRow[] = [];
  for (const line of text.split('\n')) {
    const match = /^\| `([a-z_]+)` \| (\d{3}) \| ([^|]+) \|/.exec(line);
    if (match?.[1] && match[2] && match[3]) {
      rows.push({
        code: match[1],
        status: Number(match[2]),
        message: match[3].trim(),
      });
    }
  }
  return rows;
}

describe('error catalogue', () => {
  it('lists in docs/ERRORS.md exactly the codes of the catalogue', () => {
    const documented = documentedCodes();
    const fromDocs = documented.map((row) => row.code).sort();
    const fromCode = Object.keys(ERROR_CATALOGUE).sort();
    assert.deepEqual(fromDocs, fromCode);
  });

  it('documents the status and default message of each code', () => {
    for (const row of documentedCodes()) {
      assert.ok(isErrorCode(row.code));
      const spec = ERROR_CATALOGUE[row.code];
      assert.equal(row.status, spec.status, `status of ${row.code}`);
      assert.equal(row.message, spec.message, `message of ${row.code}`);
    }
  });

  it('gives each code a client or server status', () => {
    for (const [code, spec] of Object.entries(ERROR_CATALOGUE)) {
      assert.ok(spec.status >= 400 && spec.status < 600, code);
    }
  });
});

describe('MetacryptError', () => {
  it('carries its code, the catalogue status and the default message', () => {
    const err = new MetacryptError('sealed');
    assert.equal(err.code, 'sealed');
    assert.equal(err.status, 503);
    assert.equal(err.message, 'sealed');
    assert.equal(err.name, 'MetacryptError');
  });

  it('prefixes module errors with the module name', () => {
    const err = new ConfigError(
      'config_invalid',
      'server.tls_cert is required',
    );
    assert.equal(err.message, 'config: server.tls_cert is required');
    assert.equal(err.name, 'ConfigError');
    assert.ok(err instanceof MetacryptError);
  });
});

describe('errorReply', () => {
  it('answers an exposed code with its status, message and code', () => {
    const reply = errorReply(new MetacryptError('too_many_attempts'));
    assert.deepEqual(reply, {
      status: 429,
      body: { error: 'too many attempts', code: 'too_many_attempts' },
    });
  });

  it('hides internal detail behind a generic 500', () => {
    const internal = {
      status: 500,
      body: { error: 'internal error', code: 'internal' },
    };
    assert.deepEqual(
      errorReply(new ConfigError('config_parse', '/etc/secret/path: line 3')),
      internal,
    );
    assert.deepEqual(
      errorReply(new Error('SQLITE_CORRUPT at /var/lib')),
      internal,
    );
    assert.deepEqual(errorReply('a string'), internal);
    assert.deepEqual(errorReply(undefined), internal);
  });
});
