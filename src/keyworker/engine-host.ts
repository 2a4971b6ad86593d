// The key worker's side of the engines: the mount table in the barrier,
// one open core per mount while unsealed, and requests routed to them.
import type {
  Caller,
  EngineCore,
  EngineInstance,
  EngineStorage,
} from '../engine/engine-core.js';
import { isJsonObject } from '../engine/json.js';
import type { JsonObject, JsonValue } from '../engine/json.js';
import { isMountName, MOUNT_NAME_RULE } from '../engine/mount-name.js';
import { MetacryptError, quoteInput } from '../errors/index.js';
import type { DamagedMount, MountInfo } from './protocol.js';
import type { SealStateMachine } from './seal-state-machine.js';

/** MOUNTS_PREFIX is where the mount table lives in the barrier. */
export const MOUNTS_PREFIX = 'sys/mounts/';

interface MountRecord {
  readonly name: string;
  readonly type: string;
  readonly config: JsonObject;
  readonly created_at: string;
}

/**
 * EngineHost mounts, unmounts and serves engines. A mount is a record at
 * `sys/mounts/<name>` and a data key `engine/<name>` sealing everything
 * under `engine/<name>/`; both are written, and removed, in one
 * transaction. Cores are opened on first use after an unseal and closed
 * at seal, so no engine key outlives the keys that protect it.
 *
 * A record that fails its integrity check disables only its own mount:
 * requests to it, and a mount of the same name (which would destroy its
 * data key), are refused with the barrier's error, while the other mounts
 * keep serving. Unmounting it is allowed, as the way to clear it.
 */
export class EngineHost {
  readonly #machine: SealStateMachine;
  readonly #cores: ReadonlyMap<string, EngineCore>;
  readonly #now: () => number;
  #mounts: Map<string, MountInfo> | null = null;
  // Names whose record failed to open, with the refusal; read with #mounts.
  readonly #damaged = new Map<string, string>();
  readonly #open = new Map<string, EngineInstance>();

  constructor(
    machine: SealStateMachine,
    cores: ReadonlyMap<string, EngineCore>,
    now: () => number = Date.now,
  ) {
    this.#machine = machine;
    this.#cores = cores;
    this.#now = now;
    machine.onSeal(() => {
      this.closeAll();
    });
  }

  /** types lists the engine types this worker can serve. */
  get types(): string[] {
    return [...this.#cores.keys()].sort();
  }

  /** list describes every mount, sorted by name. */
  list(): MountInfo[] {
    return [...this.#table().values()].sort((a, b) =>
      a.name < b.name ? -1 : 1,
    );
  }

  /** damaged lists the mount records that fail to open, sorted by name. */
  damaged(): DamagedMount[] {
    this.#table();
    return [...this.#damaged]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([name, message]) => ({ name, message }));
  }

  /**
   * mount creates a mount of type with config (validated by the engine's
   * ops.ts on the main thread): its data key and its record, together.
   */
  mount(name: unknown, type: unknown, config: unknown): MountInfo {
    // Step 1: check the request before touching anything.
    const mountName = checkName(name);
    if (typeof type !== 'string' || !this.#cores.has(type)) {
      throw new MetacryptError(
        'bad_request',
        `unknown engine type ${quoteInput(type)}`,
      );
    }
    if (!isJsonObject(config)) {
      throw new MetacryptError('bad_request', 'config must be an object');
    }
    const table = this.#table();
    this.#refuseDamaged(mountName);
    if (table.has(mountName)) {
      throw new MetacryptError(
        'already_exists',
        `mount ${mountName} already exists`,
      );
    }

    // Step 2: the data key and the record, in one transaction. A key
    // left by an earlier failed mount goes first.
    const keyId = `engine/${mountName}`;
    const info: MountInfo = {
      name: mountName,
      type,
      config,
      createdAt: new Date(this.#now()).toISOString(),
    };
    try {
      this.#machine.transaction(() => {
        if (this.#machine.listKeys().some((k) => k.keyId === keyId)) {
          this.#machine.destroyKey(keyId);
        }
        this.#machine.createKey(keyId);
        this.#machine.barrier.put(mountPath(mountName), encode(info));
      });
    } catch (err) {
      this.#machine.forgetKey(keyId);
      throw err;
    }

    // Step 3: remember it only once committed.
    table.set(mountName, info);
    return info;
  }

  /**
   * unmount closes the mount's core, then deletes its record, its data
   * key and every entry under it, in one transaction.
   */
  unmount(name: unknown): { entriesDeleted: number } {
    const mountName = checkName(name);
    const table = this.#table();
    if (!table.has(mountName) && !this.#damaged.has(mountName)) {
      throw notMounted(mountName);
    }

    this.#close(mountName);
    const keyId = `engine/${mountName}`;
    const entriesDeleted = this.#machine.transaction(() => {
      this.#machine.barrier.delete(mountPath(mountName));
      const hasKey = this.#machine.listKeys().some((k) => k.keyId === keyId);
      return hasKey ? this.#machine.destroyKey(keyId) : 0;
    });
    table.delete(mountName);
    this.#damaged.delete(mountName);
    return { entriesDeleted };
  }

  /** request runs operation on a mount's core and returns its reply. */
  request(
    mount: unknown,
    operation: unknown,
    data: unknown,
    caller: unknown,
  ): JsonValue {
    const mountName = checkName(mount);
    if (typeof operation !== 'string') {
      throw new MetacryptError('bad_request', 'operation must be a string');
    }
    return this.#instance(mountName).handle(
      operation,
      data as JsonValue,
      checkCaller(caller),
    );
  }

  /** closeAll closes every open core and forgets the mount table. */
  closeAll(): void {
    for (const name of [...this.#open.keys()]) this.#close(name);
    this.#mounts = null;
  }

  #instance(name: string): EngineInstance {
    const open = this.#open.get(name);
    if (open !== undefined) return open;

    const info = this.#table().get(name);
    if (info === undefined) {
      this.#refuseDamaged(name);
      throw notMounted(name);
    }
    const core = this.#cores.get(info.type);
    if (core === undefined) {
      throw new MetacryptError(
        'internal',
        `mount ${name} has engine type ${quoteInput(info.type)}, which ` +
          'this build does not have',
      );
    }
    const instance = core.open({
      mount: name,
      config: info.config,
      storage: this.#storage(name),
      keys: this.#machine.keys,
      now: this.#now,
    });
    this.#open.set(name, instance);
    return instance;
  }

  #close(name: string): void {
    const instance = this.#open.get(name);
    this.#open.delete(name);
    instance?.close();
  }

  // A mount's storage reaches the barrier through the state machine on
  // every call, so it refuses once sealed like everything else.
  #storage(name: string): EngineStorage {
    const base = `engine/${name}/`;
    const barrier = (): SealStateMachine['barrier'] => this.#machine.barrier;
    return {
      get: (path) => barrier().get(base + path),
      put: (path, value) => {
        barrier().put(base + path, value);
      },
      delete: (path) => barrier().delete(base + path),
      list: (prefix) =>
        barrier()
          .list(base + prefix)
          .map((path) => path.slice(base.length)),
      transaction: (fn) => this.#machine.transaction(fn),
    };
  }

  #refuseDamaged(name: string): void {
    const message = this.#damaged.get(name);
    if (message !== undefined) {
      throw new MetacryptError('barrier_integrity', message);
    }
  }

  #table(): Map<string, MountInfo> {
    if (this.#mounts !== null) return this.#mounts;
    const barrier = this.#machine.barrier;
    const table = new Map<string, MountInfo>();
    this.#damaged.clear();
    for (const path of barrier.list(MOUNTS_PREFIX)) {
      let value: Buffer | null;
      try {
        value = barrier.get(path);
      } catch (err) {
        if (!isIntegrityFailure(err)) throw err;
        this.#damaged.set(path.slice(MOUNTS_PREFIX.length), err.message);
        continue;
      }
      if (value === null) continue;
      const info = decode(value, path);
      table.set(info.name, info);
    }
    this.#mounts = table;
    return table;
  }
}

function isIntegrityFailure(err: unknown): err is MetacryptError {
  return err instanceof MetacryptError && err.code === 'barrier_integrity';
}

function mountPath(name: string): string {
  return MOUNTS_PREFIX + name;
}

function checkName(name: unknown): string {
  if (!isMountName(name)) {
    throw new MetacryptError(
      'bad_request',
      `bad mount name ${quoteInput(name)}: ${MOUNT_NAME_RULE}`,
    );
  }
  return name;
}

function checkCaller(caller: unknown): Caller {
  const { username, isAdmin } = (caller ?? {}) as Partial<Caller>;
  if (typeof username !== 'string' || typeof isAdmin !== 'boolean') {
    throw new MetacryptError('bad_request', 'key worker: bad caller');
  }
  return { username, isAdmin };
}

function notMounted(name: string): MetacryptError {
  return new MetacryptError('not_found', `mount ${name} not found`);
}

function encode(info: MountInfo): Buffer {
  const record: MountRecord = {
    name: info.name,
    type: info.type,
    config: info.config,
    created_at: info.createdAt,
  };
  return Buffer.from(JSON.stringify(record), 'utf8');
}

// A record that does not parse was not written by this code: the barrier
// proved it was written with the key, so it is a bug, not an attack.
function decode(value: Buffer, path: string): MountInfo {
  let record: Partial<MountRecord>;
  try {
    record = JSON.parse(value.toString('utf8')) as Partial<MountRecord>;
  } catch {
    throw new MetacryptError('internal', `mount record ${path} is not JSON`);
  }
  const { name, type, config, created_at: createdAt } = record;
  if (
    !isMountName(name) ||
    typeof type !== 'string' ||
    !isJsonObject(config) ||
    typeof createdAt !== 'string'
  ) {
    throw new MetacryptError('internal', `mount record ${path} is malformed`);
  }
  return { name, type, config, createdAt };
}
