// The reader and the reply check behind the API document's test: what
// counts as an example, and that a reply differing in any way is caught.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  capturesOf,
  readExamples,
  replyMismatches,
  secretsIn,
} from './doc-examples.js';

const FENCE = '```';
const CURL =
  'curl -sS --cacert "$METACRYPT_CA_CERT" -X POST "$METACRYPT_ADDR/v1/init"';

function doc(...parts: string[]): string {
  return parts.join('\n');
}

function sh(...lines: string[]): string {
  return doc(`${FENCE}sh`, ...lines, FENCE);
}

function block(lang: string, ...lines: string[]): string {
  return doc(`${FENCE}${lang}`, ...lines, FENCE);
}

describe('readExamples', () => {
  it('reads an example with its status and its json reply', () => {
    const { examples, problems } = readExamples(
      doc('Init:', '', sh('# HTTP 409', CURL), '', block('json', '{"a":1}')),
    );
    assert.deepEqual(problems, []);
    assert.deepEqual(examples, [
      {
        line: 3,
        script: `# HTTP 409\n${CURL}`,
        status: 409,
        expected: { kind: 'json', value: { a: 1 } },
      },
    ]);
  });

  it('reads "(no body)" as an empty reply and other text as lines', () => {
    const { examples } = readExamples(
      doc(
        sh('# HTTP 204', CURL),
        block('text', '(no body)'),
        sh('# HTTP 200', CURL),
        block('text', 'a 1', '', 'b <n>'),
      ),
    );
    assert.deepEqual(
      examples.map((e) => e.expected),
      [{ kind: 'empty' }, { kind: 'lines', lines: ['a 1', 'b <n>'] }],
    );
  });

  it('refuses an example whose reply block is not right after it', () => {
    const { examples, problems } = readExamples(
      doc(sh('# HTTP 200', CURL), 'It answers:', block('json', '{}')),
    );
    assert.deepEqual(examples, []);
    assert.deepEqual(problems, ['line 1: no reply block right after it']);
  });

  it('refuses an example with no reply block at all', () => {
    const { problems } = readExamples(sh('# HTTP 200', CURL));
    assert.deepEqual(problems, ['line 1: no reply block right after it']);
  });

  it('refuses an example without a status line', () => {
    const { problems } = readExamples(doc(sh(CURL), block('json', '{}')));
    assert.deepEqual(problems, ['line 1: no "# HTTP <status>" first line']);
  });

  it('refuses two curl commands, a fixed host and an untrusted CA', () => {
    const { problems } = readExamples(
      doc(
        sh('# HTTP 200', `${CURL} && ${CURL}`),
        block('json', '{}'),
        sh('# HTTP 200', 'curl -sk https://localhost:8443/v1/status'),
        block('json', '{}'),
      ),
    );
    assert.deepEqual(problems, [
      'line 1: 2 curl commands, not one',
      'line 8: no --cacert "$METACRYPT_CA_CERT"; ' +
        'no "$METACRYPT_ADDR/..." URL',
    ]);
  });

  it('refuses a json block that is not JSON, and other languages', () => {
    const { problems } = readExamples(
      doc(
        sh('# HTTP 200', CURL),
        block('json', '{"a":'),
        sh('# HTTP 200', CURL),
        block('yaml', 'a: 1'),
      ),
    );
    assert.deepEqual(problems, [
      'line 1: its json block (line 5) is not JSON',
      'line 8: a "yaml" block after it, not json or text',
    ]);
  });
});

describe('replyMismatches', () => {
  const json = (value: unknown) => ({ kind: 'json', value }) as const;

  it('accepts the same reply, whatever its layout', () => {
    const expected = json({ a: [1, { b: 'x' }], c: null, d: true });
    const body = '{"d":true,"c":null,"a":[1,{"b":"x"}]}';
    assert.deepEqual(replyMismatches(expected, body), []);
  });

  it('lets a placeholder stand for any value, but not for none', () => {
    const expected = json({ token: '<token>', at: '<time>' });
    assert.deepEqual(
      replyMismatches(expected, '{"token":"abc","at":{"x":1}}'),
      [],
    );
    assert.deepEqual(replyMismatches(expected, '{"token":"abc"}'), [
      '$.at: missing',
    ]);
  });

  it('catches a changed value, a missing key and an extra key', () => {
    const expected = json({ a: 1, b: { c: 'x' } });
    assert.deepEqual(replyMismatches(expected, '{"a":2,"b":{"d":"x"}}'), [
      '$.a: expected 1, got 2',
      '$.b.d: not expected',
      '$.b.c: missing',
    ]);
  });

  it('compares arrays element by element and by length', () => {
    const expected = json({ v: [1, 2] });
    assert.deepEqual(replyMismatches(expected, '{"v":[1,3,4]}'), [
      '$.v: expected 2 items, got 3',
      '$.v[1]: expected 2, got 3',
    ]);
    assert.deepEqual(replyMismatches(expected, '{"v":{"0":1}}'), [
      '$.v: expected an array, got {"0":1}',
    ]);
  });

  it('tells a string from a number and an object from an array', () => {
    assert.deepEqual(replyMismatches(json({ n: 1 }), '{"n":"1"}'), [
      '$.n: expected 1, got "1"',
    ]);
    assert.deepEqual(replyMismatches(json({}), '[]'), [
      '$: expected an object, got []',
    ]);
  });

  it('refuses a reply that is not JSON', () => {
    assert.deepEqual(replyMismatches(json({}), 'hello'), [
      'the reply is not JSON',
    ]);
  });

  it('wants no body at all for "(no body)"', () => {
    assert.deepEqual(replyMismatches({ kind: 'empty' }, ''), []);
    assert.deepEqual(replyMismatches({ kind: 'empty' }, '{}'), [
      'expected no body',
    ]);
  });

  it('finds each text line among the reply lines', () => {
    const expected = { kind: 'lines', lines: ['a{x="1"} 1', 'b <n>'] } as const;
    assert.deepEqual(replyMismatches(expected, 'z\nb 42\na{x="1"} 1'), []);
    assert.deepEqual(replyMismatches(expected, 'a{x="1"} 10\nb 4 2'), [
      'no line "a{x=\\"1\\"} 1"',
      'no line "b <n>"',
    ]);
  });
});

describe('secretsIn', () => {
  it('collects the passwords and plaintexts the examples send', () => {
    const markdown = doc(
      'In prose: {"password":"not-this-one"}',
      sh(`${CURL} -d '{"password":"first one"}'`),
      sh(`${CURL} -d '{"old_password":"old","new_password":"new"}'`),
      sh(`${CURL} -d '{"plaintext":"aGk="}'`),
    );
    assert.deepEqual(secretsIn(markdown), ['first one', 'old', 'new', 'aGk=']);
  });
});

describe('capturesOf', () => {
  it('captures the values a reply gives to named placeholders', () => {
    const expected = {
      kind: 'json',
      value: { ciphertext: '<$CIPHERTEXT>', key: { at: '<$AT>' }, t: '<time>' },
    } as const;
    const body = JSON.stringify({
      ciphertext: 'metacrypt:v1:abc',
      key: { at: 'x' },
      t: 'now',
    });
    assert.deepEqual(capturesOf(expected, body), {
      CIPHERTEXT: 'metacrypt:v1:abc',
      AT: 'x',
    });
    assert.deepEqual(replyMismatches(expected, body), []);
    assert.deepEqual(capturesOf(expected, 'not json'), {});
  });
});
