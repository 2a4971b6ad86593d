// The pasted commands of `metacrypt dev`: words quoted so sh reads them
// back unchanged, on one line or continued over several.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';

import type { DevFacts } from '../../src/dev/dev-facts.js';
import {
  curlCommand,
  curlExamples,
  envExports,
  shellWord,
} from '../../src/dev/dev-examples.js';

/** words runs `set -- <text>` in sh and returns the words it got. */
function words(text: string): string[] {
  const out = execFileSync(
    'sh',
    ['-c', `set -- ${text}\nfor w; do printf '%s\\0' "$w"; done`],
    { encoding: 'utf8' },
  );
  return out.split('\0').slice(0, -1);
}

const FACTS: DevFacts = {
  addr: 'https://127.0.0.1:8443',
  dataDir: "/tmp/it's a dir",
  caCert: "/tmp/it's a dir/server.crt",
  certExpiresAt: new Date('2030-01-01T00:00:00Z'),
  identityUrl: 'https://127.0.0.1:8200',
  sealPassword: 'seal-password-0123456789',
  accounts: {
    admin: { username: 'admin', password: 'admin-pw-x', roles: ['admin'] },
    user: { username: 'alice', password: 'alice-pw-_-y', roles: ['user'] },
  },
  adminToken: 'abc.def-_~+/==',
  adminTokenExpiresAt: '2030-01-01T00:00:00.000Z',
  transitMount: 'transit',
  transitKey: 'demo',
};

describe('shellWord', () => {
  it('leaves a word with nothing special as it is', () => {
    for (const word of ['https://127.0.0.1:8443/v1/status', '/tmp/a-b_c.d']) {
      assert.equal(shellWord(word), word);
    }
  });

  it('quotes anything else so sh reads back the same word', () => {
    const tricky = [
      'two words',
      "it's",
      '$HOME',
      '`id`',
      '{"a":"b"}',
      'a\\nb',
      '*',
      '',
      "'",
      'line\nbreak',
    ];
    for (const word of tricky) {
      assert.deepEqual(words(shellWord(word)), [word], JSON.stringify(word));
    }
  });
});

describe('curlExamples', () => {
  const examples = curlExamples(FACTS);

  it('reads as the same words on one line and over several', () => {
    assert.equal(examples.length, 3);
    for (const example of examples) {
      const expected = example.lines.flat();
      assert.deepEqual(words(curlCommand(example)), expected);
      const continued = curlCommand(example, '    ');
      assert.ok(continued.includes(' \\\n    '));
      assert.deepEqual(words(continued), expected);
    }
  });

  it('names the CA file, the address and the token literally', () => {
    const [status, login, encrypt] = examples.map((e) => e.lines.flat());
    assert.deepEqual(status, [
      'curl',
      '-sS',
      '-w',
      '\\n',
      '--cacert',
      FACTS.caCert,
      'https://127.0.0.1:8443/v1/status',
    ]);
    assert.ok(login?.includes('https://127.0.0.1:8443/v1/auth/login'));
    assert.ok(
      login?.includes('{"username":"alice","password":"alice-pw-_-y"}'),
    );
    assert.ok(
      encrypt?.includes(
        'https://127.0.0.1:8443/v1/transit/transit/encrypt/demo',
      ),
    );
    assert.ok(encrypt?.includes('Authorization: Bearer abc.def-_~+/=='));
  });
});

describe('envExports', () => {
  it('sets the two variables the metacrypt command reads', () => {
    const out = execFileSync(
      'sh',
      [
        '-c',
        `${envExports(FACTS).join('\n')}\n` +
          `printf '%s\\n%s' "$METACRYPT_ADDR" "$METACRYPT_CA_CERT"`,
      ],
      { encoding: 'utf8' },
    );
    assert.equal(out, `${FACTS.addr}\n${FACTS.caCert}`);
  });
});
