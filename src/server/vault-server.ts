// Starts a whole Metacrypt server from a configuration: the key worker,
// MCIAS, policy, engines and the HTTPS listener, wired together; and stops
// it, sealing before the worker goes.
import {
  Authenticator,
  MciasClient,
  mciasClientOptions,
  TokenCache,
  tokenCacheOptions,
} from '../auth/index.js';
import type { Config } from '../config/index.js';
import { BUILTIN_ENGINES } from '../engine/builtin-engines.js';
import { EngineService } from '../engine/engine-service.js';
import { EngineRegistry } from '../engine/registry.js';
import { KeyWorkerClient, keyWorkerOptions } from '../keyworker/index.js';
import type { KeyWorkerOptions } from '../keyworker/index.js';
import type { Logger } from '../log/index.js';
import { PolicyStore } from '../policy/index.js';
import { createApp } from './app.js';
import { listen } from './https-listener.js';
import { Metrics } from './metrics.js';
import { loadTlsSettings } from './tls-settings.js';

/** VaultServerOptions say what to start. */
export interface VaultServerOptions {
  readonly config: Config;
  readonly logger: Logger;
  /** The engine types to serve; the built-in ones by default. */
  readonly registry?: EngineRegistry;
  /** Adjustments to the key worker, for tests (a short lockout, say). */
  readonly worker?: Partial<KeyWorkerOptions>;
}

/** VaultServer is a running server. */
export interface VaultServer {
  readonly url: string;
  readonly port: number;
  readonly worker: KeyWorkerClient;
  readonly metrics: Metrics;
  /** close stops serving, seals (wiping every key) and stops the worker. */
  close(): Promise<void>;
}

/**
 * startVaultServer brings up a server. It starts sealed, or uninitialized
 * on an empty database, and fails with the config, db or tls error an
 * operator must fix when the setup is wrong.
 */
export async function startVaultServer(
  options: VaultServerOptions,
): Promise<VaultServer> {
  const { config, logger } = options;
  const registry = options.registry ?? new EngineRegistry([...BUILTIN_ENGINES]);

  // Step 1: everything read from files, before any thread starts.
  const tls = loadTlsSettings(config.server);
  const mcias = new MciasClient(mciasClientOptions(config.mcias));

  // Step 2: the key worker, which opens and migrates the database.
  const metrics = new Metrics();
  const worker = await KeyWorkerClient.start({
    worker: {
      ...keyWorkerOptions(config),
      engines: registry.workerModules(),
      ...options.worker,
    },
    logger: logger.child({ component: 'keyworker' }),
    onRoundTrip: (op, seconds, ok) => {
      metrics.roundTrip(op, seconds, ok);
    },
  });

  // Step 3: the services the routes use.
  const auth = new Authenticator({
    client: mcias,
    cache: new TokenCache(tokenCacheOptions(config.mcias)),
    logger: logger.child({ component: 'auth' }),
  });
  metrics.trackAuthCache(auth);
  const policy = new PolicyStore(worker);
  const engines = new EngineService({ worker, registry, policy, logger });
  metrics.sealState(worker.state);
  worker.onStateChange((state) => {
    metrics.sealState(state);
    if (state !== 'unsealed') policy.clear();
    logger.info('seal state changed', { state });
  });

  // Step 4: the listener.
  const app = createApp({
    config,
    logger,
    metrics,
    worker,
    auth,
    policy,
    engines,
  });
  let listener;
  try {
    listener = await listen(app, tls, config.server.listen_addr);
  } catch (err) {
    await worker.close();
    throw err;
  }
  logger.info('server listening', {
    url: listener.url,
    state: (await worker.status()).state,
    engines: registry.types(),
  });

  const { url, port } = listener;
  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    worker,
    metrics,
    close(): Promise<void> {
      closing ??= (async () => {
        await listener.close();
        await worker.close();
        logger.info('server stopped', { state: 'sealed' });
      })();
      return closing;
    },
  };
}
