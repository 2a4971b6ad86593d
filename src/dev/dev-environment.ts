// Starts everything `metacrypt dev` runs in one process: a temporary data
// directory, a self-signed certificate, the development identity server
// and an initialized, unsealed vault with transit mounted; and stops it
// all again, leaving nothing behind.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ApiClient } from '../cli/api-client.js';
import { parseConfig } from '../config/index.js';
import type { Config } from '../config/index.js';
import { createPrivateFile } from '../db/private-file.js';
import { startDevIdentityServer } from '../dev-identity/index.js';
import type { Logger } from '../log/index.js';
import { startVaultServer } from '../server/vault-server.js';
import type {
  VaultServer,
  VaultServerOptions,
} from '../server/vault-server.js';
import {
  makeDevAccounts,
  randomPassword,
  userEntries,
} from './dev-accounts.js';
import type { DevAccounts } from './dev-accounts.js';
import { DEV_TRANSIT_KEY, DEV_TRANSIT_MOUNT } from './dev-facts.js';
import type { DevFacts } from './dev-facts.js';
import { checkPortFree } from './port-check.js';
import { createSelfSignedCert } from './self-signed-cert.js';

/** DEV_HOST is where both servers listen: loopback, this host only. */
export const DEV_HOST = '127.0.0.1';

/** DEFAULT_DEV_PORT is the vault's port unless told: the usual 8443. */
export const DEFAULT_DEV_PORT = 8443;

/**
 * DEV_TOKEN_TTL_SECONDS is how long the identity server's tokens last:
 * a working day and more, so the printed admin token still works after
 * lunch. Every token dies with the process anyway.
 */
export const DEV_TOKEN_TTL_SECONDS = 24 * 3600;

// Argon2id for the seal: one pass over 19 MiB, a fraction of a second.
// The password is printed on the banner, so cost buys nothing here.
const DEV_SEAL_COST = { argon2_time: 1, argon2_memory: 19 * 1024 };

// The rule that lets the normal user try transit: every operation that
// is not admin-only (policy never grants those).
const USER_TRANSIT_RULE = {
  id: 'dev-users-use-transit',
  priority: 100,
  effect: 'allow',
  roles: ['user'],
  resources: [`engine/${DEV_TRANSIT_MOUNT}/*`],
  actions: ['any'],
};

/** DevEnvironmentOptions say where and how to start. */
export interface DevEnvironmentOptions {
  /** The vault's port on 127.0.0.1; 0 takes any free port. */
  readonly port: number;
  readonly logger: Logger;
  /** Where the data directory is made; the system's temp dir by default. */
  readonly tmpRoot?: string;
  /** Starts the vault; startVaultServer by default (tests make it fail). */
  readonly startVault?: (options: VaultServerOptions) => Promise<VaultServer>;
}

/** DevEnvironment is a running development server. */
export interface DevEnvironment {
  readonly facts: DevFacts;
  /**
   * close seals the vault and stops it, stops the identity server and
   * deletes the data directory. Calling it again waits for the first.
   */
  close(): Promise<void>;
}

type Undo = () => void | Promise<void>;

/**
 * startDevEnvironment brings up a development server on 127.0.0.1. If
 * any step fails, whatever the earlier steps started is stopped and the
 * data directory deleted before the error is thrown.
 */
export async function startDevEnvironment(
  options: DevEnvironmentOptions,
): Promise<DevEnvironment> {
  const { logger } = options;
  // Before anything else, a port in use is one line and nothing to undo.
  await checkPortFree(DEV_HOST, options.port);

  // What to undo, in the order it was done; stopping runs it backwards.
  const undo: Undo[] = [];
  try {
    // Step 1: the data directory, the owner's only.
    const dataDir = mkdtempSync(
      join(options.tmpRoot ?? tmpdir(), 'metacrypt-dev-'),
    );
    undo.push(() => {
      rmSync(dataDir, { recursive: true, force: true });
    });
    chmodSync(dataDir, 0o700);

    // Step 2: the certificate, for the vault and the identity server.
    const cert = await createSelfSignedCert();
    const certPath = join(dataDir, 'server.crt');
    const keyPath = join(dataDir, 'server.key');
    writeFileSync(certPath, cert.certPem, { mode: 0o644 });
    createPrivateFile(keyPath);
    writeFileSync(keyPath, cert.keyPem);

    // Step 3: the accounts, and the identity server that holds them.
    const accounts = makeDevAccounts();
    const identity = await startDevIdentityServer({
      development: true,
      users: await userEntries(accounts),
      tlsCert: cert.certPem,
      tlsKey: cert.keyPem,
      host: DEV_HOST,
      port: 0,
      tokenTtlSeconds: DEV_TOKEN_TTL_SECONDS,
      logger: logger.child({ component: 'dev-identity' }),
    });
    undo.push(() => identity.close());

    // Step 4: the vault, initialized (which leaves it unsealed).
    const config = devConfig({
      port: options.port,
      dataDir,
      certPath,
      keyPath,
      identityUrl: identity.url,
    });
    const startVault = options.startVault ?? startVaultServer;
    const vault = await startVault({ config, logger });
    undo.push(() => vault.close());
    const sealPassword = randomPassword();
    await vault.worker.init(sealPassword);

    // Step 5: through the API, as a user would: the admin's token,
    // transit and its demo key, and the normal user's rule.
    const login = await prepareThroughApi(vault.url, certPath, accounts);
    logger.info('development server ready', {
      url: vault.url,
      data_dir: dataDir,
    });

    const facts: DevFacts = {
      addr: vault.url,
      dataDir,
      caCert: certPath,
      certExpiresAt: cert.notAfter,
      identityUrl: identity.url,
      sealPassword,
      accounts,
      adminToken: login.token,
      adminTokenExpiresAt: login.expires_at,
      transitMount: DEV_TRANSIT_MOUNT,
      transitKey: DEV_TRANSIT_KEY,
    };
    let closing: Promise<void> | undefined;
    return {
      facts,
      close(): Promise<void> {
        closing ??= unwind(undo);
        return closing;
      },
    };
  } catch (err) {
    await unwind(undo).catch(() => undefined);
    throw err;
  }
}

/** LoginReply is the part of a login reply used here. */
interface LoginReply {
  readonly token: string;
  readonly expires_at: string;
}

// Logs the admin in and sets the vault up through its own API, so the
// demo goes through the same checks as any later call.
async function prepareThroughApi(
  addr: string,
  caCert: string,
  accounts: DevAccounts,
): Promise<LoginReply> {
  const anonymous = new ApiClient({ addr, caCert });
  const { body: login } = await anonymous.call<LoginReply>(
    'POST',
    '/v1/auth/login',
    { username: accounts.admin.username, password: accounts.admin.password },
  );

  const admin = new ApiClient({ addr, caCert, token: login.token });
  await admin.call('POST', '/v1/engine/mount', {
    name: DEV_TRANSIT_MOUNT,
    type: 'transit',
  });
  await admin.call(
    'POST',
    `/v1/transit/${DEV_TRANSIT_MOUNT}/create-key/${DEV_TRANSIT_KEY}`,
  );
  await admin.call('POST', '/v1/policy/rules', USER_TRANSIT_RULE);
  return login;
}

interface DevConfigParts {
  readonly port: number;
  readonly dataDir: string;
  readonly certPath: string;
  readonly keyPath: string;
  readonly identityUrl: string;
}

// The vault's configuration, built in memory: nothing is read from a
// metacrypt.toml or from METACRYPT_* variables, so a developer's own
// settings cannot leak into the throwaway vault (or it into them).
function devConfig(parts: DevConfigParts): Config {
  return parseConfig(
    {
      server: {
        listen_addr: `${DEV_HOST}:${parts.port}`,
        tls_cert: parts.certPath,
        tls_key: parts.keyPath,
      },
      database: { path: join(parts.dataDir, 'metacrypt.db') },
      mcias: { server_url: parts.identityUrl, ca_cert: parts.certPath },
      seal: DEV_SEAL_COST,
    },
    {},
  );
}

// Undoes every step, last first, each even if an earlier one failed;
// the first failure is thrown once all have run.
async function unwind(undo: readonly Undo[]): Promise<void> {
  const failures: unknown[] = [];
  for (const step of [...undo].reverse()) {
    try {
      await step();
    } catch (err) {
      failures.push(err);
    }
  }
  const [first] = failures;
  if (first instanceof Error) throw first;
  if (failures.length > 0) throw new Error('dev: stopping failed');
}
