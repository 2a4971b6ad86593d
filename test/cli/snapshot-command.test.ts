// `metacrypt snapshot`, run as a real process as the runbook writes it,
// while a `metacrypt server` keeps writing; then the runbook's restore:
// every write acknowledged before the snapshot began is back.
import assert from 'node:assert/strict';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { CliHome } from '../fixtures/cli-process.js';
import { addrFlags } from '../fixtures/cli-target.js';
import { httpsRequest, postJson } from '../fixtures/https-request.js';
import { devUser, startIdentityProcess } from '../fixtures/identity-process.js';
import type { IdentityProcess } from '../fixtures/identity-process.js';
import {
  startServerProcess,
  writeServerConfig,
} from '../fixtures/server-process.js';
import { PASSWORD } from '../keyworker/vault-scratch.js';

/** today is the runbook's $(date +%Y%m%d). */
function today(): string {
  const now = new Date();
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${String(now.getFullYear())}${pad(now.getMonth() + 1)}${pad(now.getDate())}`;
}

async function login(url: string, username: string): Promise<string> {
  const reply = await postJson(`${url}/v1/auth/login`, {
    username,
    password: devUser(username).password,
  });
  assert.equal(reply.status, 200, reply.text);
  return (reply.json() as { token: string }).token;
}

async function ruleIds(url: string, token: string): Promise<Set<string>> {
  const reply = await httpsRequest(`${url}/v1/policy/rules`, {
    headers: { authorization: `Bearer ${token}` },
  });
  assert.equal(reply.status, 200, reply.text);
  const { rules } = reply.json() as { rules: { id: string }[] };
  return new Set(rules.map((rule) => rule.id));
}

/**
 * RuleWriter creates policy rules one after another through the API
 * until stopped, recording which the server acknowledged, and which of
 * those it was sent only after a marked moment.
 */
class RuleWriter {
  readonly attempted: string[] = [];
  readonly acknowledged: string[] = [];
  readonly sentAfterMark: string[] = [];
  #marked = false;
  #stopping = false;
  #waiters: { count: () => number; want: number; done: () => void }[] = [];
  readonly done: Promise<void>;

  constructor(url: string, token: string) {
    this.done = this.#run(url, token);
  }

  /** mark notes the moment after which writes must be missing. */
  mark(): void {
    this.#marked = true;
  }

  /** acknowledgedAtLeast resolves once n writes were acknowledged. */
  acknowledgedAtLeast(n: number): Promise<void> {
    return this.#wait(() => this.acknowledged.length, n);
  }

  /** sentAfterMarkAtLeast resolves once n writes sent after mark() landed. */
  sentAfterMarkAtLeast(n: number): Promise<void> {
    return this.#wait(() => this.sentAfterMark.length, n);
  }

  stop(): Promise<void> {
    this.#stopping = true;
    return this.done;
  }

  #wait(count: () => number, want: number): Promise<void> {
    if (count() >= want) return Promise.resolve();
    return new Promise((done) => this.#waiters.push({ count, want, done }));
  }

  async #run(url: string, token: string): Promise<void> {
    for (let n = 1; !this.#stopping; n++) {
      const id = `rule-${String(n)}`;
      const afterMark = this.#marked;
      this.attempted.push(id);
      const reply = await postJson(
        `${url}/v1/policy/rules`,
        { id, priority: n, effect: 'allow', roles: ['user'] },
        { authorization: `Bearer ${token}` },
      );
      assert.equal(reply.status, 201, reply.text);
      this.acknowledged.push(id);
      if (afterMark) this.sentAfterMark.push(id);
      this.#waiters = this.#waiters.filter((w) => {
        if (w.count() < w.want) return true;
        w.done();
        return false;
      });
    }
  }
}

describe('metacrypt snapshot', () => {
  const work = mkdtempSync(join(tmpdir(), 'metacrypt-snapshot-cli-'));
  const backups = join(work, 'backups');
  const database = join(work, 'metacrypt.db');
  const home = new CliHome();
  let identity: IdentityProcess;
  let config: string;
  before(async () => {
    mkdirSync(backups, { mode: 0o700 });
    identity = await startIdentityProcess();
    config = writeServerConfig(join(work, 'metacrypt.toml'), {
      database,
      mciasUrl: identity.url,
    });
  });
  after(async () => {
    home.remove();
    await identity.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('copies a database being written to; the restore has every acknowledged write', async () => {
    // Step 1: a server with a vault, and an admin writing rules to it.
    const server = await startServerProcess(config, work);
    let token: string;
    let writer: RuleWriter;
    const output = join(backups, `metacrypt-${today()}.db`);
    let before: string[];
    try {
      const init = await postJson(`${server.url}/v1/init`, {
        password: PASSWORD,
      });
      assert.equal(init.status, 200, init.text);
      token = await login(server.url, 'admin');
      writer = new RuleWriter(server.url, token);
      await writer.acknowledgedAtLeast(5);

      // Step 2: the snapshot, as the runbook writes it, mid-stream.
      before = [...writer.acknowledged];
      const run = await home.run([
        'snapshot',
        '--config',
        config,
        '--output',
        output,
      ]);
      writer.mark();
      assert.equal(run.status, 0, run.stderr);
      const bytes = statSync(output).size;
      assert.equal(run.stdout, `Wrote ${output} (${String(bytes)} bytes)\n`);
      assert.equal(statSync(output).mode & 0o777, 0o600);

      // Writes carry on, and those sent from now on are not in the copy.
      await writer.sentAfterMarkAtLeast(2);
      await writer.stop();
    } finally {
      assert.equal(await server.stop(), 0, server.output());
    }

    // Step 3: the runbook's restore: with the service stopped, copy the
    // backup over the database and make it owner-only. A clean stop
    // leaves no write-ahead log that could be replayed over the copy.
    assert.ok(!existsSync(`${database}-wal`), 'the server left a -wal');
    copyFileSync(output, database);
    chmodSync(database, 0o600);

    // Step 4: start, unseal with the original password, read the rules.
    const restored = await startServerProcess(config, work);
    try {
      const addr = addrFlags(restored.url);
      const status = await home.run(['status', ...addr]);
      assert.equal(status.status, 2, status.stderr);
      assert.equal(status.stdout, `${restored.url}: sealed\n`);
      const unseal = await home.run(['unseal', ...addr, '--password-stdin'], {
        stdin: `${PASSWORD}\n`,
      });
      assert.equal(unseal.status, 0, unseal.stderr);

      const ids = await ruleIds(restored.url, token);
      for (const id of before) assert.ok(ids.has(id), `${id} is missing`);
      for (const id of writer.sentAfterMark) {
        assert.ok(!ids.has(id), `${id} was written after the snapshot`);
      }
      for (const id of ids) assert.ok(writer.attempted.includes(id), id);
    } finally {
      assert.equal(await restored.stop(), 0, restored.output());
    }
  });

  it('finds the configuration through METACRYPT_CONFIG, and prints JSON', async () => {
    const run = await home.run(['snapshot', '-o', 'env.db', '--json'], {
      env: { METACRYPT_CONFIG: config },
      cwd: backups,
    });
    assert.equal(run.status, 0, run.stderr);
    const path = join(backups, 'env.db');
    assert.deepEqual(JSON.parse(run.stdout), {
      path,
      bytes: statSync(path).size,
    });
  });

  it('never overwrites an existing file', async () => {
    const path = join(backups, 'taken.db');
    writeFileSync(path, 'keep me');
    const run = await home.run(['snapshot', '-c', config, '-o', path]);
    assert.equal(run.status, 1);
    assert.equal(run.stderr, `db: snapshot: ${path} already exists\n`);
    assert.equal(readFileSync(path, 'utf8'), 'keep me');
  });

  it('refuses a database that does not exist, and creates none', async () => {
    const missing = join(work, 'missing.db');
    const other = writeServerConfig(join(work, 'missing.toml'), {
      database: missing,
    });
    const output = join(backups, 'never.db');
    const run = await home.run(['snapshot', '-c', other, '-o', output]);
    assert.equal(run.status, 1);
    assert.equal(
      run.stderr,
      `db: open: no such file or directory (${missing})\n`,
    );
    assert.ok(!existsSync(missing));
    assert.ok(!existsSync(output));
  });

  it('needs --output', async () => {
    const run = await home.run(['snapshot', '-c', config, '--json']);
    assert.equal(run.status, 1);
    assert.deepEqual(JSON.parse(run.stdout), {
      error: 'Missing required flag output (see --help)',
      code: 'cli_usage',
    });
  });
});
