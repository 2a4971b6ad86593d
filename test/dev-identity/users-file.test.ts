// The users file: TOML or JSON by extension, defaults, and errors that
// name the file and the field without echoing a hash or a secret.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import {
  devSubject,
  hashPassword,
  loadUsersFile,
  parseUsers,
} from '../../src/dev-identity/index.js';
import type { MetacryptError } from '../../src/errors/index.js';
import { thrownBy } from '../errors/thrown-error.js';
import { TEST_ARGON2_COST } from '../fixtures/identity-process.js';

const dir = mkdtempSync(join(tmpdir(), 'metacrypt-users-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

let hash = '';
before(async () => {
  hash = await hashPassword('a password', TEST_ARGON2_COST);
});

let files = 0;
function write(content: string, extension = 'toml'): string {
  const path = join(dir, `users-${++files}.${extension}`);
  writeFileSync(path, content);
  return path;
}

function loadError(path: string): MetacryptError {
  return thrownBy(() => loadUsersFile(path));
}

describe('loadUsersFile', () => {
  it('reads TOML entries and fills in the defaults', () => {
    const path = write(
      `[[users]]\nusername = "alice"\npassword_hash = "${hash}"\n` +
        `[[users]]\nusername = "admin"\npassword_hash = "${hash}"\n` +
        `roles = ["admin"]\ndisabled = true\nservices = ["metacrypt"]\n` +
        `totp_secret = "JBSWY3DPEHPK3PXP"\n`,
    );
    const [alice, admin] = loadUsersFile(path);
    assert.deepEqual(alice, {
      username: 'alice',
      sub: devSubject('alice'),
      passwordHash: hash,
      roles: [],
      totpSecret: undefined,
      disabled: false,
      services: undefined,
    });
    assert.ok(admin);
    assert.equal(admin.disabled, true);
    assert.deepEqual(admin.roles, ['admin']);
    assert.deepEqual(admin.services, ['metacrypt']);
    assert.equal(admin.totpSecret, 'JBSWY3DPEHPK3PXP');
  });

  it('reads JSON when the file ends in .json', () => {
    const path = write(
      JSON.stringify({ users: [{ username: 'bob', password_hash: hash }] }),
      'json',
    );
    assert.equal(loadUsersFile(path)[0]?.username, 'bob');
  });

  it('refuses a file that ends in neither .toml nor .json', () => {
    const err = loadError(write('', 'yaml'));
    assert.equal(err.code, 'config_invalid');
    assert.match(err.message, /must end in \.toml or \.json$/);
  });

  it('names the file and the field that is missing', () => {
    const path = write('[[users]]\nusername = "alice"\n');
    const err = loadError(path);
    assert.equal(err.code, 'config_invalid');
    assert.equal(
      err.message,
      `dev identity server: ${path}: users[0].password_hash is required`,
    );
  });

  it('names a hash that is not argon2id without quoting it', async () => {
    const argon2i = (await hashPassword('x', TEST_ARGON2_COST)).replace(
      '$argon2id$',
      '$argon2i$',
    );
    for (const bad of [argon2i, '$2b$10$abcdefghijklmnopqrstuv', 'plain']) {
      const path = write(
        `[[users]]\nusername = "alice"\npassword_hash = "${bad}"\n`,
      );
      const err = loadError(path);
      assert.match(
        err.message,
        /users\[0\]\.password_hash must be an argon2id/,
      );
      assert.ok(!err.message.includes(bad), 'the hash is echoed');
    }
  });

  it('names fields of the wrong type and unknown fields', () => {
    const cases: [string, string][] = [
      ['username = 5', 'users[0].username must be a string'],
      ['roles = "admin"', 'users[0].roles must be a list'],
      ['roles = ["a", 3]', 'users[0].roles[1] must be a string'],
      ['disabled = "yes"', 'users[0].disabled must be a boolean'],
      ['pasword = "x"', 'unknown field users[0].pasword'],
    ];
    for (const [line, problem] of cases) {
      const content =
        `[[users]]\n${line.startsWith('username') ? '' : 'username = "a"\n'}` +
        `password_hash = "${hash}"\n${line}\n`;
      const path = write(content);
      assert.equal(
        loadError(path).message,
        `dev identity server: ${path}: ${problem}`,
      );
    }
  });

  it('refuses a TOTP secret that is not base32, without quoting it', () => {
    const path = write(
      `[[users]]\nusername = "a"\npassword_hash = "${hash}"\n` +
        'totp_secret = "s3cr3t!-value"\n',
    );
    const err = loadError(path);
    assert.match(err.message, /users\[0\]\.totp_secret must be base32/);
    assert.ok(!err.message.includes('s3cr3t!-value'));
  });

  it('refuses duplicate usernames, ignoring case', () => {
    const entry = (name: string): string =>
      `[[users]]\nusername = "${name}"\npassword_hash = "${hash}"\n`;
    const path = write(entry('alice') + entry('bob') + entry('Alice'));
    assert.equal(
      loadError(path).message,
      `dev identity server: ${path}: users[2].username "Alice" ` +
        'duplicates users[0]',
    );
  });

  it('asks for [[users]] entries when there are none', () => {
    const path = write('# nobody yet\n');
    assert.match(
      loadError(path).message,
      /: users is required \(add \[\[users\]\] entries\)$/,
    );
  });

  it('reports a TOML syntax error by line and column without the line', () => {
    const path = write(`[[users]]\nusername = "a"\npassword_hash = ${hash}\n`);
    const err = loadError(path);
    assert.equal(err.code, 'config_parse');
    assert.ok(err.message.startsWith(`dev identity server: ${path}:3:`));
    assert.ok(!err.message.includes(hash));
  });

  it('reports JSON that does not parse without quoting it', () => {
    const path = write(`{"users": [{"password_hash": ${hash}}]}`, 'json');
    const err = loadError(path);
    assert.equal(err.code, 'config_parse');
    assert.equal(err.message, `dev identity server: ${path}: not valid JSON`);
  });

  it('reports a file that cannot be read', () => {
    const path = join(dir, 'absent.toml');
    const err = loadError(path);
    assert.equal(err.code, 'config_read');
    assert.equal(
      err.message,
      `dev identity server: ${path}: no such file or directory`,
    );
  });
});

describe('parseUsers', () => {
  it('checks entries given in code like those of a file', () => {
    assert.equal(
      parseUsers([{ username: 'a', password_hash: hash }])[0]?.username,
      'a',
    );
    const err = thrownBy(() =>
      parseUsers([{ username: '', password_hash: hash }]),
    );
    assert.equal(
      err.message,
      'dev identity server: users option: users[0].username must not be empty',
    );
  });
});

describe('devSubject', () => {
  it('is UUID-shaped, stable, and differs from user to user', () => {
    assert.match(
      devSubject('alice'),
      /^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$/,
    );
    assert.equal(devSubject('alice'), devSubject('alice'));
    assert.notEqual(devSubject('alice'), devSubject('bob'));
  });
});
