// A key worker run inside the command's own process, on a database file,
// for the commands that work on a vault with no server running: `init`
// without --addr, and `snapshot verify` checking a seal password.
import { parseConfig } from '../config/index.js';
import type { Config } from '../config/index.js';
import { KeyWorkerClient, keyWorkerOptions } from '../keyworker/index.js';
import { createLogger } from '../log/index.js';

/**
 * withOfflineVault starts a key worker on config's database (which it
 * opens, creates if missing, and migrates, as the server would), runs use
 * with it, and closes it whatever happens: close seals, so every key is
 * wiped before the command exits. The worker logs only its faults, as
 * JSON lines on stderr, so stdout holds the command's output alone.
 */
export async function withOfflineVault<T>(
  config: Config,
  use: (vault: KeyWorkerClient) => Promise<T>,
): Promise<T> {
  const logger = createLogger({
    level: 'warn',
    stream: process.stderr,
    fields: { service: 'metacrypt' },
  });
  const vault = await KeyWorkerClient.start({
    worker: keyWorkerOptions(config),
    logger,
  });
  try {
    return await use(vault);
  } finally {
    await vault.close();
  }
}

/**
 * offlineConfig is a configuration for a key worker on dbPath and nothing
 * else. The schema requires the server's and MCIAS's settings, which an
 * offline worker never reads, so they are placeholders; the [seal]
 * defaults apply only to init and rekey, and unseal reads the Argon2id
 * parameters stored in the database.
 */
export function offlineConfig(dbPath: string): Config {
  return parseConfig(
    {
      server: {
        listen_addr: '127.0.0.1:0',
        tls_cert: 'unused',
        tls_key: 'unused',
      },
      database: { path: dbPath },
      mcias: { server_url: 'https://127.0.0.1:1' },
    },
    {},
  );
}
