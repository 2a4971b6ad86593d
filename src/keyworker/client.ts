// The main thread's typed API to the key worker: one method per protocol
// operation, over the channel that carries them.
import type {
  DestroyValue,
  KeyInfo,
  MekRotateValue,
  OpArgs,
  OpName,
  OpValue,
  RekeyValue,
  StatusValue,
} from './protocol.js';
import { WorkerChannel } from './worker-channel.js';
import type { WorkerChannelOptions } from './worker-channel.js';

/** KeyWorkerClientOptions configure the client and its channel. */
export type KeyWorkerClientOptions = WorkerChannelOptions;

/** Password is what callers hand over; bytes are wiped once sent. */
export type Password = string | Uint8Array;

/**
 * KeyWorkerClient is the only way the main thread reaches keys: it asks the
 * key worker to use them and gets back results, never keys.
 */
export class KeyWorkerClient {
  readonly #channel: WorkerChannel;

  private constructor(channel: WorkerChannel) {
    this.#channel = channel;
  }

  /**
   * start launches the key worker and resolves once it has opened the
   * database, or rejects with the reason it could not (a `db: ...` error).
   */
  static async start(
    options: KeyWorkerClientOptions,
  ): Promise<KeyWorkerClient> {
    return new KeyWorkerClient(await WorkerChannel.start(options));
  }

  /** restarts counts the workers started to replace one that died. */
  get restarts(): number {
    return this.#channel.restarts;
  }

  /** call sends one request and resolves with its reply value. */
  call<O extends OpName>(
    op: O,
    args: OpArgs<O>,
    transfer: ArrayBuffer[] = [],
  ): Promise<OpValue<O>> {
    return this.#channel.call(op, args, transfer);
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

  /** createKey makes the data key for keyId (`engine/<mount>`). */
  createKey(keyId: string): Promise<KeyInfo> {
    return this.call('keys.create', { keyId });
  }

  /** rotateKey adds a version to the data key keyId. */
  rotateKey(keyId: string): Promise<KeyInfo> {
    return this.call('keys.rotate', { keyId });
  }

  /** destroyKey deletes the data key keyId and every entry under it. */
  destroyKey(keyId: string): Promise<DestroyValue> {
    return this.call('keys.destroy', { keyId });
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
