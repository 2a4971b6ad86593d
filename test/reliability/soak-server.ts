// The server the soak runs against: `metacrypt server` as a child process
// (so its resident memory is its own), the dev identity server, and a
// vault made ready for the mixed load: a transit key alice may use.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { parse, stringify } from 'smol-toml';

import {
  DEV_USERS,
  devUser,
  startIdentityProcess,
} from '../fixtures/identity-process.js';
import type { IdentityProcess } from '../fixtures/identity-process.js';
import {
  startServerProcess,
  writeServerConfig,
} from '../fixtures/server-process.js';
import type { ServerProcess } from '../fixtures/server-process.js';
import { PASSWORD } from '../keyworker/vault-scratch.js';
import { LoadClient } from './load-client.js';
import type { LoadCallOptions } from './load-client.js';

/** SOAK_MOUNT and SOAK_KEY name the transit key the load uses. */
export const SOAK_MOUNT = 'transit';
export const SOAK_KEY = 'soak';

/**
 * SOAK_AUTH_RATE_LIMIT is server.auth_rate_limit for the soak: the
 * schema's maximum, per minute, since every login of the load comes from
 * one address and the default (30) would refuse most of them.
 */
export const SOAK_AUTH_RATE_LIMIT = 100_000;

/** SoakServer is a ready vault in a child process, and its tokens. */
export interface SoakServer {
  readonly url: string;
  /** The server process's pid, for /proc/<pid>/status. */
  readonly pid: number;
  readonly admin: string;
  readonly alice: string;
  /** leaks names each known secret that appears in the server's output. */
  leaks(): string[];
  /** stop ends the server and the identity process, and removes files. */
  stop(): Promise<void>;
}

/** startSoakServer starts everything and prepares the vault. */
export async function startSoakServer(): Promise<SoakServer> {
  // Tokens outlive any soak (the dev default is an hour), so a long run
  // with SOAK_SECONDS raised measures the vault, not token expiry.
  const identity = await startIdentityProcess({ tokenTtlSeconds: 86_400 });
  const dir = mkdtempSync(join(tmpdir(), 'metacrypt-soak-'));
  let server: ServerProcess | undefined;
  try {
    // Step 1: the fixture configuration, with the login limit raised.
    const path = writeServerConfig(join(dir, 'metacrypt.toml'), {
      database: join(dir, 'vault.db'),
      mciasUrl: identity.url,
    });
    const config = parse(readFileSync(path, 'utf8'));
    (config.server as Record<string, unknown>).auth_rate_limit =
      SOAK_AUTH_RATE_LIMIT;
    writeFileSync(path, stringify(config));

    // Step 2: the server, then the vault it serves.
    server = await startServerProcess(path, dir);
    const { pid } = server.child;
    if (pid === undefined) throw new Error('soak: server has no pid');
    const { admin, alice } = await prepareVault(server.url);
    return readyServer(server, identity, dir, { pid, admin, alice });
  } catch (err) {
    await server?.stop();
    await identity.stop();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

function readyServer(
  server: ServerProcess,
  identity: IdentityProcess,
  dir: string,
  ready: { pid: number; admin: string; alice: string },
): SoakServer {
  const secrets = new Map<string, string>([
    ['the seal password', PASSWORD],
    ['the admin token', ready.admin],
    ['the alice token', ready.alice],
    ...DEV_USERS.map((u): [string, string] => [
      `${u.username}'s password`,
      u.password,
    ]),
  ]);
  return {
    url: server.url,
    ...ready,
    leaks: () => {
      const output = server.output();
      return [...secrets].filter(([, s]) => output.includes(s)).map(([n]) => n);
    },
    stop: async () => {
      await server.stop();
      await identity.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// Init, two logins, a transit mount and key, and the rule that lets
// alice (a user, not an admin) encrypt and decrypt with it, so the load
// goes through the policy check as an application's calls would.
async function prepareVault(
  url: string,
): Promise<{ admin: string; alice: string }> {
  const client = new LoadClient(url, 1);
  try {
    const step = async (
      what: string,
      method: string,
      path: string,
      options: LoadCallOptions,
    ): Promise<unknown> => {
      const reply = await client.call(method, path, options);
      if (reply.status >= 300) {
        throw new Error(`soak: ${what}: ${String(reply.status)}`);
      }
      return reply.body;
    };
    const login = async (username: string): Promise<string> => {
      const { password } = devUser(username);
      const body = await step('login', 'POST', '/v1/auth/login', {
        json: { username, password },
      });
      return (body as { token: string }).token;
    };

    await step('init', 'POST', '/v1/init', { json: { password: PASSWORD } });
    const admin = await login('admin');
    const alice = await login('alice');
    await step('mount', 'POST', '/v1/engine/mount', {
      token: admin,
      json: { name: SOAK_MOUNT, type: 'transit' },
    });
    await step('create key', 'POST', transitPath('create-key'), {
      token: admin,
    });
    await step('rule', 'POST', '/v1/policy/rules', {
      token: admin,
      json: {
        id: 'alice-uses-soak',
        priority: 10,
        effect: 'allow',
        usernames: ['alice'],
        resources: [`engine/${SOAK_MOUNT}/*`],
        actions: ['encrypt', 'decrypt'],
      },
    });
    return { admin, alice };
  } finally {
    client.close();
  }
}

/** transitPath is the typed route of operation on the soak key. */
export function transitPath(operation: string): string {
  return `/v1/transit/${SOAK_MOUNT}/${operation}/${SOAK_KEY}`;
}
