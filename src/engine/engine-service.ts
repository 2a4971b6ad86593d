// Engines as the API sees them: mounting and unmounting through the key
// worker, and each engine request checked against its operation's schema
// and the policy before the worker runs it.
import type { Identity } from '../auth/index.js';
import { MetacryptError, parseInput, quoteInput } from '../errors/index.js';
import type {
  KeyWorkerClient,
  MountInfo,
  MountTable,
} from '../keyworker/index.js';
import type { Logger } from '../log/index.js';
import type { Decision, PolicyRequest } from '../policy/index.js';
import { isJsonObject } from './json.js';
import { isMountName } from './mount-name.js';
import type { JsonObject, JsonValue } from './json.js';
import type { EngineRegistry } from './registry.js';

/** EngineRequest is the body of POST /v1/engine/request. */
export interface EngineRequest {
  readonly mount: string;
  readonly operation: string;
  readonly data: JsonValue;
  /** The engine type the caller expects the mount to be (typed routes). */
  readonly type?: string;
}

/** EngineServiceOptions are the service's dependencies. */
export interface EngineServiceOptions {
  readonly worker: Pick<
    KeyWorkerClient,
    'mountTable' | 'mount' | 'unmount' | 'engineRequest' | 'onStateChange'
  >;
  readonly registry: EngineRegistry;
  readonly policy: { check(request: PolicyRequest): Promise<Decision> };
  readonly logger?: Logger;
}

/**
 * EngineService keeps the mount table in memory on the main thread (it
 * holds names, types and configurations, no keys) so a request finds its
 * engine without a round trip. The table is dropped whenever the seal
 * state changes and read again from the worker on next use. A mount whose
 * record fails its integrity check is refused by name, and makes the list
 * of mounts refused too, since a list without it would be a wrong answer.
 */
export class EngineService {
  readonly #worker: EngineServiceOptions['worker'];
  readonly #registry: EngineRegistry;
  readonly #policy: EngineServiceOptions['policy'];
  readonly #logger: Logger | undefined;
  #mounts: Promise<Table> | null = null;

  constructor(options: EngineServiceOptions) {
    this.#worker = options.worker;
    this.#registry = options.registry;
    this.#policy = options.policy;
    this.#logger = options.logger;
    this.#worker.onStateChange(() => {
      this.#mounts = null;
    });
  }

  /** registry is the catalogue of engine types. */
  get registry(): EngineRegistry {
    return this.#registry;
  }

  /**
   * mounts lists every mount, sorted by name, or throws
   * `barrier_integrity` for the first record that fails to open.
   */
  async mounts(): Promise<MountInfo[]> {
    const table = await this.#table();
    const [first] = table.damaged.values();
    if (first !== undefined) throw integrityFailure(first);
    return [...table.mounts.values()];
  }

  /** mount checks type and config, then mounts through the worker. */
  async mount(name: string, type: string, config: unknown): Promise<MountInfo> {
    const ops = this.#registry.ops(type);
    if (ops === undefined) {
      throw new MetacryptError(
        'bad_request',
        `type: unknown engine type ${quoteInput(type)}; known: ` +
          (this.#registry.types().join(', ') || 'none'),
      );
    }
    const parsed: unknown = parseInput(ops.config, config ?? {}, 'config');
    if (!isJsonObject(parsed)) {
      throw new MetacryptError('bad_request', 'config: must be an object');
    }
    const info = await this.#worker.mount(name, type, parsed);
    this.#mounts = null;
    this.#logger?.info('engine mounted', { mount: name, type });
    return info;
  }

  /** unmount removes a mount and everything stored under it. */
  async unmount(name: string): Promise<{ entriesDeleted: number }> {
    try {
      const result = await this.#worker.unmount(name);
      this.#logger?.info('engine unmounted', { mount: name });
      return result;
    } finally {
      this.#mounts = null;
    }
  }

  /**
   * request runs one engine operation for identity. Steps: find the
   * mount and the operation, authorize, check the input, then run it in
   * the key worker. Authorization comes before the input check so a
   * caller without access learns nothing from validation messages.
   */
  async request(
    identity: Identity,
    request: EngineRequest,
  ): Promise<JsonValue> {
    // Step 1: the mount and its engine's operation.
    const mount = await this.#find(request.mount);
    if (request.type !== undefined && mount.type !== request.type) {
      throw new MetacryptError(
        'not_found',
        `mount ${mount.name} is not a ${request.type} mount`,
      );
    }
    const spec = this.#registry.operation(mount.type, request.operation);
    if (spec === undefined) {
      throw new MetacryptError(
        'not_found',
        `operation ${quoteInput(request.operation)} not found on ` +
          `${mount.type} mount ${mount.name}`,
      );
    }

    // Step 2: policy, for `engine/<mount>/<operation>`.
    const resource = `engine/${mount.name}/${request.operation}`;
    const decision = await this.#policy.check({
      username: identity.username,
      roles: identity.roles,
      isAdmin: identity.isAdmin,
      resource,
      action: spec.action,
      adminOnly: spec.adminOnly,
    });
    if (!decision.allowed) {
      this.#logger?.warn('engine request refused', {
        user: identity.username,
        resource,
        reason: decision.reason,
        rule: decision.ruleId,
      });
      throw new MetacryptError('forbidden');
    }

    // Step 3: the input, as the operation's schema reads it.
    const data = parseInput(spec.input, request.data, 'data') as JsonValue;

    // Step 4: the key worker does the work.
    return this.#worker.engineRequest(mount.name, request.operation, data, {
      username: identity.username,
      isAdmin: identity.isAdmin,
    });
  }

  async #find(name: string): Promise<MountInfo> {
    const table = await this.#table();
    const found = table.mounts.get(name);
    if (found !== undefined) return found;
    const damaged = table.damaged.get(name);
    if (damaged !== undefined) throw integrityFailure(damaged);
    // Names from the generic request passed the mount-name schema; a
    // typed route's is checked here, so a message never quotes junk.
    throw new MetacryptError(
      'not_found',
      isMountName(name) ? `mount ${name} not found` : 'mount not found',
    );
  }

  #table(): Promise<Table> {
    if (this.#mounts !== null) return this.#mounts;
    const loading = this.#worker.mountTable().then(toTable);
    this.#mounts = loading;
    // A failed load (sealed, say) is not remembered.
    loading.catch(() => {
      if (this.#mounts === loading) this.#mounts = null;
    });
    return loading;
  }
}

// The mount table by name: the mounts, and the refusal for each damaged
// record.
interface Table {
  readonly mounts: ReadonlyMap<string, MountInfo>;
  readonly damaged: ReadonlyMap<string, string>;
}

function toTable(table: MountTable): Table {
  return {
    mounts: new Map(table.mounts.map((m) => [m.name, m])),
    damaged: new Map(table.damaged.map((d) => [d.name, d.message])),
  };
}

function integrityFailure(message: string): MetacryptError {
  return new MetacryptError('barrier_integrity', message);
}

/** mountReply is a mount as the API shows it. */
export function mountReply(info: MountInfo): JsonObject {
  return {
    name: info.name,
    type: info.type,
    config: info.config,
    created_at: info.createdAt,
  };
}
