// The key-worker half of the engine contract: what an engine's core.ts
// implements, and what the key worker gives it to work with.
import type { JsonObject, JsonValue } from './json.js';

/**
 * EngineStorage is a mount's own part of the barrier: paths are relative
 * to `engine/<mount>/` and sealed under that mount's data key. A core
 * never sees another mount's entries or the `sys/` tree.
 */
export interface EngineStorage {
  /** get returns the value at path, or null when nothing is stored. */
  get(path: string): Buffer | null;
  /** put stores value at path, replacing what was there. */
  put(path: string, value: Uint8Array): void;
  /** delete removes path and tells whether anything was there. */
  delete(path: string): boolean;
  /** list returns the stored paths under prefix ("" or ending in "/"). */
  list(prefix: string): string[];
  /**
   * transaction runs fn so that every put and delete in it lands
   * together or not at all.
   */
  transaction<T>(fn: () => T): T;
}

/**
 * KeyHolder is where a core registers every key buffer it unwraps, so a
 * seal wipes it even if the core forgot to. It is the key worker's arena.
 */
export interface KeyHolder {
  /** adopt registers buf as key material and returns it. */
  adopt<T extends Uint8Array>(buf: T): T;
  /** release zeroizes buf and forgets it. */
  release(buf: Uint8Array | null | undefined): void;
}

/** Caller is who asked for an operation, as the main thread proved it. */
export interface Caller {
  readonly username: string;
  readonly isAdmin: boolean;
}

/** MountContext is what a core is opened with for one mount. */
export interface MountContext {
  /** The mount's name, as in `engine/<name>/`. */
  readonly mount: string;
  /** The mount's configuration, validated by the engine's ops.ts. */
  readonly config: JsonObject;
  readonly storage: EngineStorage;
  readonly keys: KeyHolder;
  /** The clock, in Unix milliseconds. */
  readonly now: () => number;
}

/**
 * EngineInstance serves one mount while the vault is unsealed. handle is
 * synchronous on purpose: an operation then runs entirely before or
 * entirely after a seal, never across one, and cannot interleave with
 * another operation on the same keys.
 */
export interface EngineInstance {
  /**
   * handle runs operation with data, already validated against the
   * operation's input schema on the main thread. Its value is the reply:
   * plain JSON data, never a key unless the operation exists to export
   * one. Errors are MetacryptErrors with catalogue codes.
   */
  handle(operation: string, data: JsonValue, caller: Caller): JsonValue;
  /** close wipes every key the instance holds; seal and unmount call it. */
  close(): void;
}

/** EngineCore is what an engine's core.ts exports as `engineCore`. */
export interface EngineCore {
  /** The engine type this core serves, as in the registry. */
  readonly type: string;
  /** open starts serving a mount; called on first use after an unseal. */
  open(context: MountContext): EngineInstance;
}
