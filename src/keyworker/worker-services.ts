// What the key worker runs requests against, built from its options: the
// engine cores, the database, the seal state machine and the engine
// host. worker-main.ts builds them in the worker thread; a test may build
// the same in its own thread to look at the key arena after a seal.
import { openMigratedDatabase } from '../db/index.js';
import type { Database } from '../db/index.js';
import type { EngineCore } from '../engine/engine-core.js';
import { MetacryptError, quoteInput } from '../errors/index.js';
import { Argon2Pool } from './argon2-pool.js';
import type { WorkerServices } from './dispatch.js';
import { EngineHost } from './engine-host.js';
import type { KeyArena } from './key-arena.js';
import { SealStateMachine } from './seal-state-machine.js';
import type { EngineModule, KeyWorkerOptions } from './worker-options.js';

/** OpenedServices are the services and what it takes to stop them. */
export interface OpenedServices {
  readonly services: WorkerServices;
  /** close seals (wiping every key), stops Argon2 and closes the file. */
  close(): Promise<void>;
}

/**
 * openWorkerServices loads the engine cores, opens and migrates the
 * database and builds the state machine and the engine host on it. The
 * arena is the state machine's own unless one is given: the worker never
 * passes one; a test passes one that remembers what it held.
 */
export async function openWorkerServices(
  options: KeyWorkerOptions,
  arena?: KeyArena,
): Promise<OpenedServices> {
  const cores = await loadCores(options.engines ?? []);
  const db: Database = openMigratedDatabase(options.dbPath).db;
  const pool = new Argon2Pool();
  try {
    const machine = new SealStateMachine({
      db,
      pool,
      kdf: options.kdf,
      minPasswordLength: options.minPasswordLength,
      ...(options.limiter === undefined ? {} : { limiter: options.limiter }),
      ...(arena === undefined ? {} : { arena }),
    });
    const services = { machine, engines: new EngineHost(machine, cores) };
    return {
      services,
      async close(): Promise<void> {
        await machine.seal();
        await pool.close();
        db.close();
      },
    };
  } catch (err) {
    await pool.close();
    db.close();
    throw err;
  }
}

// Engine cores are imported here, in the worker, and nowhere else: the
// main thread knows them only by the URL it passed along.
async function loadCores(
  modules: readonly EngineModule[],
): Promise<Map<string, EngineCore>> {
  const cores = new Map<string, EngineCore>();
  for (const { type, module } of modules) {
    const loaded = (await import(module)) as { engineCore?: EngineCore };
    if (loaded.engineCore?.type !== type) {
      throw new MetacryptError(
        'internal',
        `key worker: engine ${quoteInput(type)} has no matching core`,
      );
    }
    cores.set(type, loaded.engineCore);
  }
  return cores;
}
