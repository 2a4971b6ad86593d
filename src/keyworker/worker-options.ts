// What the key worker is started with: the database, the Argon2id settings
// for new wrappings and the password rules. No key material, ever.
import type { Config } from '../config/index.js';
import type { LimiterPolicy } from './unseal-limiter.js';

/**
 * EngineModule names an engine core for the worker to load: its type and
 * the file URL of its compiled core.js, which exports `engineCore`. The
 * main thread passes the URL along without importing the file.
 */
export interface EngineModule {
  readonly type: string;
  readonly module: string;
}

/** KeyWorkerOptions travel to the worker as its workerData. */
export interface KeyWorkerOptions {
  /** The SQLite database; the worker opens and migrates it. */
  readonly dbPath: string;
  /** Argon2id costs for init and rekey; unseal reads the stored ones. */
  readonly kdf: {
    readonly time: number;
    readonly memoryKiB: number;
    readonly threads: number;
  };
  /** Fewest characters a new seal password may have. */
  readonly minPasswordLength: number;
  /** The unseal lockout; the production policy unless a test shortens it. */
  readonly limiter?: LimiterPolicy;
  /** Engine cores to load; none when absent. */
  readonly engines?: readonly EngineModule[];
}

/** keyWorkerOptions takes the key worker's options from a configuration. */
export function keyWorkerOptions(config: Config): KeyWorkerOptions {
  return {
    dbPath: config.database.path,
    kdf: {
      time: config.seal.argon2_time,
      memoryKiB: config.seal.argon2_memory,
      threads: config.seal.argon2_threads,
    },
    minPasswordLength: config.seal.min_password_length,
  };
}
