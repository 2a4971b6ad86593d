// The main thread's typed API to the key worker: one method per protocol
// operation, over the channel that carries them.
import type { Caller } from '../engine/engine-core.js';
import type { JsonObject, JsonValue } from '../engine/json.js';
import type {
  KeyInfo,
  MekRotateValue,
  MountInfo,
  MountTable,
  OpArgs,
  OpName,
  OpValue,
  RekeyValue,
  SealState,
  StatusValue,
  UnmountValue,
} from './protocol.js';
import { WorkerChannel } from './worker-channel.js';
import type { ChannelHooks, WorkerChannelOptions } from './worker-channel.js';

/** KeyWorkerClientOptions configure the client and its channel. */
export type KeyWorkerClientOptions = WorkerChannelOptions;

/** Password is what callers hand over; bytes are wiped once sent. */
export type Password = string | Uint8Array;

/** StateListener hears every change of the seal state the client sees. */
export type StateListener = (state: SealState) => void;

// The ops whose reply is the seal state.
const STATE_OPS = new Set<OpName>(['status', 'init', 'unseal', 'seal']);

// What the client knows of the worker between calls: the last seal state
// it was told and the engine types the worker loaded.
class WorkerView implements ChannelHooks {
  state: SealState = 'sealed';
  engineTypes: readonly string[] = [];
  readonly listeners = new Set<StateListener>();

  onReady(state: SealState, engineTypes: readonly string[]): void {
    this.engineTypes = engineTypes;
    this.set(state);
  }

  // A worker that died took its keys: sealed until someone unseals.
  onExit(): void {
    if (this.state !== 'uninitialized') this.set('sealed');
  }

  set(state: SealState): void {
    if (state === this.state) return;
    this.state = state;
    for (const listener of this.listeners) listener(state);
  }
}

/**
 * KeyWorkerClient is the only way the main thread reaches keys: it asks the
 * key worker to use them and gets back results, never keys.
 */
export class KeyWorkerClient {
  readonly #channel: WorkerChannel;
  readonly #view: WorkerView;

  private constructor(channel: WorkerChannel, view: WorkerView) {
    this.#channel = channel;
    this.#view = view;
  }

  /**
   * start launches the key worker and resolves once it has opened the
   * database, or rejects with the reason it could not (a `db: ...` error).
   */
  static async start(
    options: KeyWorkerClientOptions,
  ): Promise<KeyWorkerClient> {
    const view = new WorkerView();
    const channel = await WorkerChannel.start(options, view);
    return new KeyWorkerClient(channel, view);
  }

  /** restarts counts the workers started to replace one that died. */
  get restarts(): number {
    return this.#channel.restarts;
  }

  /**
   * state is the seal state as last reported by the worker, without a
   * round trip. The worker stays the authority: a call it refuses as
   * sealed fails whatever this says.
   */
  get state(): SealState {
    return this.#view.state;
  }

  /** engineTypes lists the engine types the worker can serve. */
  get engineTypes(): readonly string[] {
    return this.#view.engineTypes;
  }

  /** onStateChange calls listener on every change; returns an unsubscribe. */
  onStateChange(listener: StateListener): () => void {
    this.#view.listeners.add(listener);
    return () => {
      this.#view.listeners.delete(listener);
    };
  }

  /** call sends one request and resolves with its reply value. */
  async call<O extends OpName>(
    op: O,
    args: OpArgs<O>,
    transfer: ArrayBuffer[] = [],
  ): Promise<OpValue<O>> {
    const value = await this.#channel.call(op, args, transfer);
    if (STATE_OPS.has(op)) this.#view.set((value as StatusValue).state);
    return value;
  }

  /** status reports the seal state. */
  status(): Promise<StatusValue> {
    return this.call('status', {});
  }

  /** init initializes the vault with password and leaves it unsealed. */
  init(password: Password): Promise<StatusValue> {
    const bytes = passwordBytes(password);
    return this.call('init', { password: bytes }, [bytes.buffer]);
  }

  /** unseal opens the vault with password. */
  unseal(password: Password): Promise<StatusValue> {
    const bytes = passwordBytes(password);
    return this.call('unseal', { password: bytes }, [bytes.buffer]);
  }

  /** seal wipes every key in the worker. */
  seal(): Promise<StatusValue> {
    return this.call('seal', {});
  }

  /** rekey seals the MEK under a new password. */
  rekey(oldPassword: Password, newPassword: Password): Promise<RekeyValue> {
    const oldBytes = passwordBytes(oldPassword);
    const newBytes = passwordBytes(newPassword);
    return this.call(
      'rekey',
      { oldPassword: oldBytes, newPassword: newBytes },
      [oldBytes.buffer, newBytes.buffer],
    );
  }

  /** rotateMek replaces the MEK and rewraps every DEK under the new one. */
  rotateMek(password: Password): Promise<MekRotateValue> {
    const bytes = passwordBytes(password);
    return this.call('mek.rotate', { password: bytes }, [bytes.buffer]);
  }

  /** barrierGet reads path, or null when nothing is stored there. */
  barrierGet(path: string): Promise<Uint8Array | null> {
    return this.call('barrier.get', { path });
  }

  /** barrierPut stores value at path; the caller's buffer is untouched. */
  barrierPut(path: string, value: Uint8Array): Promise<null> {
    const copy = new Uint8Array(value.length);
    copy.set(value);
    return this.call('barrier.put', { path, value: copy }, [copy.buffer]);
  }

  /** barrierDelete removes path and tells whether it existed. */
  barrierDelete(path: string): Promise<boolean> {
    return this.call('barrier.delete', { path });
  }

  /** barrierList lists the stored paths under prefix. */
  barrierList(prefix: string): Promise<string[]> {
    return this.call('barrier.list', { prefix });
  }

  /** listKeys describes every data key (no key bytes). */
  listKeys(): Promise<KeyInfo[]> {
    return this.call('keys.list', {});
  }

  /** rotateKey adds a version to the data key keyId. */
  rotateKey(keyId: string): Promise<KeyInfo> {
    return this.call('keys.rotate', { keyId });
  }

  /** mounts lists every mounted engine whose record opens. */
  async mounts(): Promise<MountInfo[]> {
    return [...(await this.mountTable()).mounts];
  }

  /** mountTable lists the mounts, and the records that fail to open. */
  mountTable(): Promise<MountTable> {
    return this.call('mount.list', {});
  }

  /** mount creates a mount: its data key and its record, together. */
  mount(name: string, type: string, config: JsonObject): Promise<MountInfo> {
    return this.call('mount.create', { name, type, config });
  }

  /** unmount deletes a mount, its data key and everything under it. */
  unmount(name: string): Promise<UnmountValue> {
    return this.call('mount.delete', { name });
  }

  /** engineRequest runs one operation on a mount's core in the worker. */
  engineRequest(
    mount: string,
    operation: string,
    data: JsonValue,
    caller: Caller,
  ): Promise<JsonValue> {
    return this.call('engine.request', { mount, operation, data, caller });
  }

  /** close seals the vault, wiping every key, and stops the worker. */
  close(): Promise<void> {
    return this.#channel.close();
  }
}

// The password is copied into a buffer of exactly its size (never Node's
// shared pool), which is then transferred to the worker, leaving nothing
// behind here. Bytes given by the caller are wiped once copied. A string
// cannot be wiped: callers that can should pass bytes.
function passwordBytes(password: Password): Uint8Array<ArrayBuffer> {
  if (typeof password === 'string') {
    const bytes = Buffer.alloc(Buffer.byteLength(password, 'utf8'));
    bytes.write(password, 'utf8');
    return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
  }
  const bytes = new Uint8Array(password.length);
  bytes.set(password);
  password.fill(0);
  return bytes;
}
