// The vault the tampering cases work on: made through the API of a real
// `metacrypt server`, kept as a pristine file, and served from a working
// copy that is put back to the pristine rows before each case's edit.
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import BetterSqlite3 from 'better-sqlite3';
import type { Database } from 'better-sqlite3';

import { startIdentityProcess } from '../fixtures/identity-process.js';
import type { IdentityProcess } from '../fixtures/identity-process.js';
import {
  startServerProcess,
  writeServerConfig,
} from '../fixtures/server-process.js';
import type { ServerProcess } from '../fixtures/server-process.js';
import { PASSWORD } from '../keyworker/vault-scratch.js';
import { ApiSession } from './crash-session.js';

/** PLAINTEXT is what every kept ciphertext decrypts to (base64). */
export const PLAINTEXT = Buffer.from('tampering case').toString('base64');

/**
 * Ciphertexts are values made before the file was copied: key k1 of mount
 * ta under versions 1 and 2, k2 of ta, and k1 of tb and of tc.
 */
export interface Ciphertexts {
  readonly taK1v1: string;
  readonly taK1v2: string;
  readonly taK2: string;
  readonly tbK1: string;
  readonly tcK1: string;
}

/** Who sends a request: a logged-in user, or nobody in particular. */
export type Sender = 'admin' | 'alice' | 'anyone';

// The file as made, and the copy the server runs on.
const PRISTINE = 'pristine.db';
const WORKING = 'working.db';

// The tables an edit may touch, put back from the pristine copy before
// each case. schema_migrations is never edited.
const TABLES = [
  'seal_config',
  'unseal_attempts',
  'barrier_keys',
  'barrier_entries',
] as const;

/**
 * TamperVault is one `metacrypt server` over a working copy of the
 * pristine vault: three transit mounts (ta, tb, tc), keys ta/k1 (rotated
 * once), ta/k2, tb/k1 and tc/k1, and two rules letting alice encrypt (r1)
 * and decrypt (r2) with ta. Each case is edited into the working copy,
 * through a connection of its own, while the server is sealed.
 */
export class TamperVault {
  readonly ciphertexts: Ciphertexts;
  readonly server: ServerProcess;
  readonly #identity: IdentityProcess;
  readonly #dir: string;
  readonly #sessions: Readonly<Record<Sender, ApiSession>>;

  private constructor(parts: {
    identity: IdentityProcess;
    dir: string;
    ciphertexts: Ciphertexts;
    server: ServerProcess;
  }) {
    this.#identity = parts.identity;
    this.#dir = parts.dir;
    this.ciphertexts = parts.ciphertexts;
    this.server = parts.server;
    this.#sessions = {
      anyone: new ApiSession(parts.server.url),
      admin: new ApiSession(parts.server.url),
      alice: new ApiSession(parts.server.url),
    };
  }

  /**
   * make builds the pristine vault with one server, stops it, and starts
   * another on a copy, with admin and alice logged in, left sealed.
   */
  static async make(): Promise<TamperVault> {
    const dir = mkdtempSync(join(tmpdir(), 'metacrypt-tamper-'));
    const identity = await startIdentityProcess({ logLevel: 'warn' });
    let server: ServerProcess | undefined;
    try {
      // Step 1: the pristine vault, stopped cleanly: one file is all.
      const first = await startServerProcess(
        writeServerConfig(join(dir, 'pristine.toml'), {
          database: join(dir, PRISTINE),
          mciasUrl: identity.url,
        }),
        dir,
      );
      let ciphertexts: Ciphertexts;
      try {
        ciphertexts = await fill(first);
      } finally {
        assert.equal(await first.stop(), 0, first.output());
      }
      assert.ok(!existsSync(join(dir, `${PRISTINE}-wal`)));

      // Step 2: the server the cases talk to, on a working copy.
      copyFileSync(join(dir, PRISTINE), join(dir, WORKING));
      server = await startServerProcess(
        writeServerConfig(join(dir, 'working.toml'), {
          database: join(dir, WORKING),
          mciasUrl: identity.url,
        }),
        dir,
      );
      const vault = new TamperVault({ identity, dir, ciphertexts, server });
      await vault.unseal();
      await vault.session('admin').login('admin');
      await vault.session('alice').login('alice');
      await vault.seal();
      return vault;
    } catch (err) {
      await server?.stop();
      await identity.stop();
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
  }

  /** session is how a sender reaches the server. */
  session(sender: Sender): ApiSession {
    return this.#sessions[sender];
  }

  /** database is the working copy's path. */
  get database(): string {
    return join(this.#dir, WORKING);
  }

  /**
   * edit puts the working copy back as it was made, then applies tamper,
   * in one transaction. The server must be sealed: it then holds nothing
   * read from the barrier (data keys, mount table, transit keys and the
   * rules are all dropped at seal), so the next unseal reads the edit as
   * a restart would; the seal configuration and the unseal attempts are
   * read from the file at every unseal.
   */
  edit(tamper: (db: Database) => void): void {
    const db = new BetterSqlite3(this.database, { timeout: 5000 });
    try {
      // better-sqlite3 turns foreign keys on; an attacker's tool need not.
      db.pragma('foreign_keys = OFF');
      db.prepare('ATTACH DATABASE ? AS pristine').run(
        join(this.#dir, PRISTINE),
      );
      db.transaction(() => {
        for (const table of TABLES) {
          db.prepare(`DELETE FROM main.${table}`).run();
          db.prepare(
            `INSERT INTO main.${table} SELECT * FROM pristine.${table}`,
          ).run();
        }
        tamper(db);
      })();
    } finally {
      db.close();
    }
  }

  /** unseal unseals with the vault's password. */
  async unseal(): Promise<void> {
    await this.session('anyone').unseal(PASSWORD);
  }

  /** seal seals the vault unless it is sealed already. */
  async seal(): Promise<void> {
    const status = await this.session('anyone').call('GET', '/v1/status');
    if ((status.body as { state?: unknown }).state !== 'unsealed') return;
    const reply = await this.session('admin').post('/v1/seal');
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
  }

  /**
   * remove stops the server and the identity process, deletes every file,
   * and resolves with the server's exit code.
   */
  async remove(): Promise<number | null> {
    for (const session of Object.values(this.#sessions)) session.close();
    const code = await this.server.stop();
    await this.#identity.stop();
    rmSync(this.#dir, { recursive: true, force: true });
    return code;
  }
}

// Initializes the vault and writes what the cases tamper with.
async function fill(server: ServerProcess): Promise<Ciphertexts> {
  const session = new ApiSession(server.url);
  try {
    const ok = async (path: string, body: unknown = {}): Promise<unknown> => {
      const reply = await session.post(path, body);
      assert.ok(reply.status < 300, `${path}: ${JSON.stringify(reply.body)}`);
      return reply.body;
    };
    const encrypt = async (mount: string, key: string): Promise<string> => {
      const body = await ok(`/v1/transit/${mount}/encrypt/${key}`, {
        plaintext: PLAINTEXT,
      });
      return (body as { ciphertext: string }).ciphertext;
    };

    await ok('/v1/init', { password: PASSWORD });
    await session.login('admin');
    for (const mount of ['ta', 'tb', 'tc']) {
      await ok('/v1/engine/mount', { name: mount, type: 'transit' });
    }
    for (const key of ['ta/k1', 'ta/k2', 'tb/k1', 'tc/k1']) {
      const [mount = '', name = ''] = key.split('/');
      await ok(`/v1/transit/${mount}/create-key/${name}`);
    }
    const taK1v1 = await encrypt('ta', 'k1');
    await ok('/v1/transit/ta/rotate-key/k1');
    const lets = (id: string, action: string): Promise<unknown> =>
      ok('/v1/policy/rules', {
        id,
        priority: 10,
        effect: 'allow',
        usernames: ['alice'],
        resources: ['engine/ta/*'],
        actions: [action],
      });
    await lets('r1', 'encrypt');
    await lets('r2', 'decrypt');
    return {
      taK1v1,
      taK1v2: await encrypt('ta', 'k1'),
      taK2: await encrypt('ta', 'k2'),
      tbK1: await encrypt('tb', 'k1'),
      tcK1: await encrypt('tc', 'k1'),
    };
  } finally {
    session.close();
  }
}
