// Raw requests for the bad-input fuzz: well-formed requests with known
// answers, broken in the ways HTTP/1.1 can be (framing, control bytes,
// UTF-8 in headers, oversized heads), which only a socket of our own can
// send.
import { METHODS } from 'node:http';

import fc from 'fast-check';
import type { Arbitrary } from 'fast-check';

import type { ErrorCode } from '../../src/errors/index.js';
import type { RawCase } from './fuzz-case.js';
import { hostileString } from './fuzz-values.js';

/** RawBase is a well-formed request with known codes, to corrupt. */
interface RawBase {
  readonly name: string;
  readonly line: string;
  readonly headers: readonly (readonly [string, string])[];
  readonly body: string;
  readonly codes: readonly ErrorCode[];
}

const BASES: readonly RawBase[] = [
  {
    name: 'GET /v1/auth/tokeninfo',
    line: 'GET /v1/auth/tokeninfo HTTP/1.1',
    headers: [['Host', 'localhost']],
    body: '',
    codes: ['unauthenticated'],
  },
  {
    name: 'POST /v1/init',
    line: 'POST /v1/init HTTP/1.1',
    headers: [
      ['Host', 'localhost'],
      ['Content-Type', 'application/json'],
    ],
    body: '{"password":""}',
    codes: ['bad_request'],
  },
  {
    name: 'POST /v1/transit/:mount/encrypt/:key',
    line: 'POST /v1/transit/transit/encrypt/fuzz-aes HTTP/1.1',
    headers: [
      ['Host', 'localhost'],
      ['Authorization', 'Bearer not-a-token'],
    ],
    body: '{"plaintext":"aGk="}',
    codes: ['unauthenticated'],
  },
];

/** Corruption turns a base request into bytes, as latin1 text. */
type Corruption = (base: RawBase) => Arbitrary<string>;

function assemble(
  line: string,
  headers: readonly (readonly [string, string])[],
  body: string,
  framing: readonly string[] = [
    `Content-Length: ${String(Buffer.byteLength(body))}`,
  ],
  eol = '\r\n',
): string {
  const lines = [
    line,
    ...headers.map(([n, v]) => `${n}: ${v}`),
    ...framing,
    'Connection: close',
  ];
  return lines.join(eol) + eol + eol + body;
}

// UTF-8 bytes of text, one latin1 character per byte, as a socket sends.
function utf8Bytes(text: string): string {
  return Buffer.from(text, 'utf8').toString('latin1');
}

const controlChar = fc
  .oneof(
    fc.integer({ min: 0, max: 8 }),
    fc.integer({ min: 0x0b, max: 0x1f }),
    fc.constant(0x7f),
  )
  .filter((code) => code !== 0x0d)
  .map((code) => String.fromCharCode(code));

const CORRUPTIONS: Readonly<Record<string, Corruption>> = {
  'a control byte in a header': (base) =>
    controlChar.map((c) =>
      assemble(base.line, [...base.headers, ['X-Fuzz', `a${c}b`]], base.body),
    ),
  'UTF-8 in a header': (base) =>
    hostileString(24).map((text) =>
      assemble(
        base.line,
        [...base.headers, ['X-Fuzz', utf8Bytes(text)]],
        base.body,
      ),
    ),
  'UTF-8 in the token': (base) =>
    hostileString(24).map((text) =>
      assemble(
        base.line,
        [
          ...base.headers.filter(([n]) => n !== 'Authorization'),
          ['Authorization', `Bearer ${utf8Bytes(text)}`],
        ],
        base.body,
      ),
    ),
  'two Content-Lengths': (base) =>
    fc
      .nat({ max: 9 })
      .map((extra) =>
        assemble(base.line, base.headers, base.body, [
          `Content-Length: ${String(base.body.length)}`,
          `Content-Length: ${String(base.body.length + 1 + extra)}`,
        ]),
      ),
  'Content-Length and chunked': (base) =>
    fc.constant(
      assemble(
        base.line,
        base.headers,
        `${base.body.length.toString(16)}\r\n${base.body}\r\n0\r\n\r\n`,
        [
          `Content-Length: ${String(base.body.length)}`,
          'Transfer-Encoding: chunked',
        ],
      ),
    ),
  'a bad chunk size': (base) =>
    fc
      .oneof(
        fc.constantFrom('zz', '-1', '0x2', ' 2', 'ffffffffffffffffff'),
        hostileString(6).map(utf8Bytes),
      )
      .filter((size) => !/^[0-9a-fA-F]+$/.test(size))
      .map((size) =>
        assemble(
          base.line,
          base.headers,
          `${size}\r\n${base.body}\r\n0\r\n\r\n`,
          ['Transfer-Encoding: chunked'],
        ),
      ),
  'a bad Content-Length': (base) =>
    fc
      .constantFrom(
        'abc',
        '-1',
        '1e3',
        '0x10',
        '2 2',
        '+2',
        '99999999999999999999999',
      )
      .map((length) =>
        assemble(base.line, base.headers, base.body, [
          `Content-Length: ${length}`,
        ]),
      ),
  'headers over 16 KiB': (base) =>
    fc
      .integer({ min: 17_000, max: 40_000 })
      .map((n) =>
        assemble(
          base.line,
          [...base.headers, ['X-Big', 'a'.repeat(n)]],
          base.body,
        ),
      ),
  'a garbage request line': (base) =>
    hostileString(40).map((line) =>
      assemble(utf8Bytes(line), base.headers, base.body),
    ),
  'an unknown method': (base) =>
    fc
      .oneof(
        fc.stringMatching(/^[A-Za-z]{1,10}$/),
        fc.constantFrom('get', 'GETT', 'P OST'),
      )
      .filter((m) => !METHODS.includes(m))
      .map((m) =>
        assemble(base.line.replace(/^\S+/, m), base.headers, base.body),
      ),
  'a folded header': (base) =>
    fc.constant(
      assemble(
        base.line,
        [...base.headers, ['X-Fuzz', 'a\r\n  folded']],
        base.body,
      ),
    ),
  'no Host': (base) =>
    fc.constant(
      assemble(
        base.line,
        base.headers.filter(([n]) => n !== 'Host'),
        base.body,
      ),
    ),
  'a bad header name': (base) =>
    fc
      .constantFrom('X A', '(x)', '', 'X\u0000Y', 'X:Y', '\u00e9')
      .map((name) =>
        assemble(base.line, [...base.headers, [name, 'b']], base.body),
      ),
  'bare LF line ends': (base) =>
    fc.constant(assemble(base.line, base.headers, base.body, undefined, '\n')),
  'a bad HTTP version': (base) =>
    fc
      .constantFrom(
        'HTTP/1.2',
        'HTTP/9.9',
        'HTTP/1',
        'HTTPS/1.1',
        'http/1.1',
        'HTTP/1.1 x',
      )
      .map((version) =>
        assemble(
          base.line.replace(/HTTP\/1\.1$/, version),
          base.headers,
          base.body,
        ),
      ),
  'an unknown Expect': (base) =>
    fc.constant(
      assemble(base.line, [...base.headers, ['Expect', 'fuzz']], base.body),
    ),
  'bytes after the body': (base) =>
    hostileString(24).map(
      (tail) => assemble(base.line, base.headers, base.body) + utf8Bytes(tail),
    ),
};

/** rawCases are each corruption of each base request, by corruption. */
export function rawCases(): {
  readonly name: string;
  readonly cases: Arbitrary<RawCase>;
}[] {
  return Object.entries(CORRUPTIONS).map(([name, corrupt]) => ({
    name,
    cases: fc.constantFrom(...BASES).chain((base) =>
      corrupt(base).map((bytes): RawCase => ({
        kind: 'raw',
        group: 'http',
        endpoint: base.name,
        defect: name,
        bytes,
        codes: base.codes,
      })),
    ),
  }));
}
