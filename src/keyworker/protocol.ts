// The typed message protocol between the main thread and the key worker:
// every operation, its arguments and its reply value, in one place.
import type { Caller } from '../engine/engine-core.js';
import type { JsonObject, JsonValue } from '../engine/json.js';

/** SealState is the state of the seal state machine (DESIGN.md §4). */
export type SealState =
  'uninitialized' | 'sealed' | 'initializing' | 'unsealed';

/** SEAL_STATES lists every state, in the order an install meets them. */
export const SEAL_STATES: readonly SealState[] = [
  'uninitialized',
  'initializing',
  'sealed',
  'unsealed',
];

/** StatusValue is what status, init, unseal and seal answer. */
export interface StatusValue {
  readonly state: SealState;
}

/** KeyInfo describes one data key without any key bytes. */
export interface KeyInfo {
  /** `system` or `engine/<mount>`. */
  readonly keyId: string;
  /** Every version still stored, oldest first. */
  readonly versions: readonly number[];
  /** The version new writes use. */
  readonly latest: number;
  /** When the latest version was created (ISO 8601). */
  readonly createdAt: string;
}

/** RekeyValue is what a rekey answers. */
export interface RekeyValue {
  readonly rekeyedAt: string;
}

/** MekRotateValue is what an MEK rotation answers. */
export interface MekRotateValue {
  /** The version of the new MEK. */
  readonly mekVersion: number;
  /** How many DEK versions were rewrapped under it. */
  readonly rewrapped: number;
}

/** UnmountValue is what an unmount answers. */
export interface UnmountValue {
  /** How many barrier entries went with the mount's data key. */
  readonly entriesDeleted: number;
}

/** MountInfo describes one mounted engine. */
export interface MountInfo {
  readonly name: string;
  /** The engine type, a key of the engine registry. */
  readonly type: string;
  /** The configuration given at mount, as the engine's ops.ts checked it. */
  readonly config: JsonObject;
  /** When it was mounted (ISO 8601). */
  readonly createdAt: string;
}

/**
 * DamagedMount is a mount whose record in the barrier fails its integrity
 * check: its name (from the record's path) and the refusal, which names
 * what failed to open and never its bytes.
 */
export interface DamagedMount {
  readonly name: string;
  readonly message: string;
}

/** MountTable is every mount record: those that open and those that fail. */
export interface MountTable {
  readonly mounts: readonly MountInfo[];
  readonly damaged: readonly DamagedMount[];
}

/** EngineRequestArgs ask a mount's core to run one operation. */
export interface EngineRequestArgs {
  readonly mount: string;
  readonly operation: string;
  /** The input, already validated against the operation's schema. */
  readonly data: JsonValue;
  readonly caller: Caller;
}

type NoArgs = Record<string, never>;

/**
 * OpMap is the protocol: for each operation, the arguments the main thread
 * sends and the value the worker answers with. Passwords travel as bytes
 * in a transferred buffer, so the main thread keeps no copy.
 */
export interface OpMap {
  status: { args: NoArgs; value: StatusValue };
  init: { args: { password: Uint8Array }; value: StatusValue };
  unseal: { args: { password: Uint8Array }; value: StatusValue };
  seal: { args: NoArgs; value: StatusValue };
  rekey: {
    args: { oldPassword: Uint8Array; newPassword: Uint8Array };
    value: RekeyValue;
  };
  'mek.rotate': { args: { password: Uint8Array }; value: MekRotateValue };
  'barrier.get': { args: { path: string }; value: Uint8Array | null };
  'barrier.put': { args: { path: string; value: Uint8Array }; value: null };
  'barrier.delete': { args: { path: string }; value: boolean };
  'barrier.list': { args: { prefix: string }; value: string[] };
  'keys.list': { args: NoArgs; value: KeyInfo[] };
  'keys.rotate': { args: { keyId: string }; value: KeyInfo };
  'mount.list': { args: NoArgs; value: MountTable };
  'mount.create': {
    args: { name: string; type: string; config: JsonObject };
    value: MountInfo;
  };
  'mount.delete': { args: { name: string }; value: UnmountValue };
  'engine.request': { args: EngineRequestArgs; value: JsonValue };
}

/** OpName is the name of one operation. */
export type OpName = keyof OpMap;

/** OpArgs is the argument object of operation O. */
export type OpArgs<O extends OpName> = OpMap[O]['args'];

/** OpValue is the reply value of operation O. */
export type OpValue<O extends OpName> = OpMap[O]['value'];

/** Request is one call from the main thread: `{ id, op, args }`. */
export type Request = {
  [O in OpName]: {
    readonly id: number;
    readonly op: O;
    readonly args: OpArgs<O>;
  };
}[OpName];

/**
 * WireError is an error crossing the boundary: the stable code survives,
 * and the message is the one the catalogue allows to be shown.
 */
export interface WireError {
  readonly code: string;
  readonly message: string;
  readonly retryAfterSeconds?: number;
}

/** Reply answers the request with the same id. */
export type Reply =
  | { readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly id: number; readonly ok: false; readonly error: WireError };

/**
 * WorkerEvent is a message the worker sends unasked: `ready` once its
 * database is open and it listens (with the engine types it can serve),
 * `fatal` when it cannot start.
 */
export type WorkerEvent =
  | {
      readonly event: 'ready';
      readonly state: SealState;
      readonly engineTypes: readonly string[];
    }
  | { readonly event: 'fatal'; readonly error: WireError };

/**
 * RequestBatch is what one postMessage to the worker carries: every
 * request made since the last one was sent. Batching spreads the fixed
 * cost of a message over many calls when many are in flight.
 */
export type RequestBatch = readonly Request[];

/** ReplyBatch is what one postMessage from the worker carries. */
export type ReplyBatch = readonly Reply[];

/** WorkerMessage is anything the worker posts to the main thread. */
export type WorkerMessage = ReplyBatch | WorkerEvent;

/** isWorkerEvent tells an unasked event from a batch of replies. */
export function isWorkerEvent(message: WorkerMessage): message is WorkerEvent {
  return !Array.isArray(message);
}
