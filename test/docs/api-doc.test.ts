// Proves the examples of docs/API.md: each curl command runs, as printed
// and in order, against a server on a new vault, and answers the status
// and the reply the document shows under it.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';

import { projectPath } from '../../src/paths.js';
import { TLS_FILES } from '../fixtures/tls-files.js';
import { Harness } from '../server/harness.js';
import {
  capturesOf,
  readExamples,
  replyMismatches,
  secretsIn,
} from './doc-examples.js';
import type { DocExample } from './doc-examples.js';

const run = promisify(execFile);

const DOC = readFileSync(projectPath('docs', 'API.md'), 'utf8');
const { examples, problems } = readExamples(DOC);

// Who each token variable belongs to: logged in the first time an
// example names the variable.
const TOKEN_USERS = { ADMIN_TOKEN: 'admin', USER_TOKEN: 'alice' } as const;

// curl prints the status on a line of its own after the body.
const WRITE_STATUS = ` -w '\\n%{http_code}'`;

describe('docs/API.md', () => {
  let h: Harness;
  const env: Record<string, string> = {};

  before(async () => {
    h = await Harness.start();
    for (const secret of secretsIn(DOC)) h.secret(secret);
    Object.assign(env, {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      // A home of its own, so no ~/.curlrc changes what curl does.
      HOME: h.dir,
      LC_ALL: 'C',
      METACRYPT_ADDR: h.url,
      METACRYPT_CA_CERT: TLS_FILES.caCert,
    });
  });

  after(async () => {
    await h.close();
  });

  it('has curl and bash to run the examples with', async () => {
    const curl = await run('curl', ['--version']);
    assert.match(curl.stdout, /^curl \d/);
    const bash = await run('bash', ['-c', 'echo ok']);
    assert.equal(bash.stdout, 'ok\n');
  });

  it('gives every example a status and a reply block', () => {
    assert.deepEqual(problems, []);
    assert.ok(examples.length >= 40, `only ${String(examples.length)}`);
  });

  it('keeps its lines within 100 columns', () => {
    const wide = DOC.split('\n')
      .map((line, i) => ({ line: i + 1, length: line.length }))
      .filter(({ length }) => length > 100);
    assert.deepEqual(wide, []);
  });

  for (const example of examples) {
    it(titleOf(example), async () => {
      await loginFor(example.script);

      // Step 1: run the block as printed, with the status written last.
      let stdout: string;
      try {
        ({ stdout } = await run('bash', ['-c', example.script + WRITE_STATUS], {
          env,
          timeout: 30_000,
          maxBuffer: 16 * 1024 * 1024,
        }));
      } catch (err) {
        const { stderr } = err as { stderr?: string };
        assert.fail(`the command failed: ${stderr ?? String(err)}`);
      }
      const cut = stdout.lastIndexOf('\n');
      const body = stdout.slice(0, cut);
      const status = Number(stdout.slice(cut + 1));

      // Step 2: tokens it was given are secrets too.
      const token = tokenOf(body);
      if (token !== undefined) h.secret(token);

      // Step 3: the status and the reply the document prints.
      const shown = body.length > 2000 ? `${body.slice(0, 2000)}...` : body;
      assert.equal(status, example.status, `status; the reply was ${shown}`);
      assert.deepEqual(
        replyMismatches(example.expected, body),
        [],
        `the reply was ${shown}`,
      );

      // Step 4: values later examples use ("<$CIPHERTEXT>").
      Object.assign(env, capturesOf(example.expected, body));
    });
  }

  async function loginFor(script: string): Promise<void> {
    for (const [name, username] of Object.entries(TOKEN_USERS)) {
      if (env[name] === undefined && script.includes(`$${name}`)) {
        env[name] = await h.login(username);
      }
    }
  }
});

// `line 412: POST /v1/init answers 400`, for the test report.
function titleOf(example: DocExample): string {
  const method = /-X (\w+)/.exec(example.script)?.[1] ?? 'GET';
  const path = /\$METACRYPT_ADDR([^"\s]*)/.exec(example.script)?.[1] ?? '?';
  return (
    `line ${String(example.line)}: ${method} ${path} ` +
    `answers ${String(example.status)}`
  );
}

function tokenOf(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { token?: unknown };
    return typeof parsed.token === 'string' ? parsed.token : undefined;
  } catch {
    return undefined;
  }
}
