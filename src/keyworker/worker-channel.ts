// The channel to the key worker thread: starts it, batches requests,
// matches replies, times calls out, and replaces the worker if it dies.
import { Worker } from 'node:worker_threads';

import { MetacryptError } from '../errors/index.js';
import type { Logger } from '../log/index.js';
import type {
  OpArgs,
  OpName,
  OpValue,
  Reply,
  Request,
  SealState,
  WorkerEvent,
  WorkerMessage,
} from './protocol.js';
import { isWorkerEvent } from './protocol.js';
import { fromWireError } from './wire-error.js';
import type { KeyWorkerOptions } from './worker-options.js';

/** WORKER_FILE is the compiled key worker entry point. */
export const WORKER_FILE = new URL('./worker-main.js', import.meta.url);

/** CreateWorker starts a worker thread; tests pass one to watch the port. */
export type CreateWorker = (file: URL, options: KeyWorkerOptions) => Worker;

/** WorkerChannelOptions configure the channel (and so the client). */
export interface WorkerChannelOptions {
  readonly worker: KeyWorkerOptions;
  readonly logger?: Logger;
  /** Timeout for ordinary requests, in milliseconds. */
  readonly timeoutMs?: number;
  /** Timeout for requests that run Argon2id or may wait behind one. */
  readonly slowTimeoutMs?: number;
  readonly createWorker?: CreateWorker;
  /**
   * onRoundTrip is told how long each call took, from the call to its
   * answer, and whether it succeeded: for the worker round-trip metric.
   */
  readonly onRoundTrip?: (op: OpName, seconds: number, ok: boolean) => void;
}

/** ChannelHooks tell the client about the worker's life. */
export interface ChannelHooks {
  /** A worker said ready, in this state, serving these engine types. */
  onReady(state: SealState, engineTypes: readonly string[]): void;
  /** The worker thread exited; its keys went with it. */
  onExit(): void;
}

interface Pending {
  readonly op: OpName;
  readonly started: bigint;
  readonly resolve: (value: unknown) => void;
  readonly reject: (err: Error) => void;
  readonly timer: NodeJS.Timeout;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_SLOW_TIMEOUT_MS = 300_000;
const SLOW_OPS = new Set<OpName>([
  'init',
  'unseal',
  'seal',
  'rekey',
  'mek.rotate',
]);
const MAX_RESTART_DELAY_MS = 30_000;

const defaultCreateWorker: CreateWorker = (file, options) =>
  new Worker(file, { workerData: options });

/**
 * WorkerChannel carries requests to the key worker and replies back. One
 * message listener matches replies to calls by id; each call has a
 * timeout; when the worker exits, every pending call fails with `sealed`
 * and a fresh worker starts, sealed until an operator unseals it again.
 */
export class WorkerChannel {
  readonly #options: WorkerChannelOptions;
  readonly #hooks: ChannelHooks | undefined;
  readonly #createWorker: CreateWorker;
  readonly #pending = new Map<number, Pending>();
  #worker: Worker | null = null;
  #nextId = 1;
  #closing = false;
  #closed: Promise<void> | undefined;
  #restarts = 0;
  #quickFailures = 0;
  #restartTimer: NodeJS.Timeout | null = null;
  #outbox: Request[] = [];
  #outboxTransfer: ArrayBuffer[] = [];
  #flushScheduled = false;

  private constructor(options: WorkerChannelOptions, hooks?: ChannelHooks) {
    this.#options = options;
    this.#hooks = hooks;
    this.#createWorker = options.createWorker ?? defaultCreateWorker;
  }

  /**
   * start launches the key worker and resolves once it has opened the
   * database, or rejects with the reason it could not (a `db: ...` error).
   */
  static async start(
    options: WorkerChannelOptions,
    hooks?: ChannelHooks,
  ): Promise<WorkerChannel> {
    const channel = new WorkerChannel(options, hooks);
    try {
      await channel.#spawn();
    } catch (err) {
      // A worker that cannot start is not replaced: the caller learns why
      // and decides, rather than a channel nobody holds retrying forever.
      channel.#closing = true;
      await channel.#worker?.terminate();
      throw err;
    }
    return channel;
  }

  /** restarts counts the workers started to replace one that died. */
  get restarts(): number {
    return this.#restarts;
  }

  /** call sends one request and resolves with its reply value. */
  call<O extends OpName>(
    op: O,
    args: OpArgs<O>,
    transfer: ArrayBuffer[] = [],
  ): Promise<OpValue<O>> {
    const worker = this.#worker;
    if (worker === null || this.#closing) {
      return Promise.reject(new MetacryptError('sealed'));
    }
    const id = this.#nextId++;
    const timeoutMs = SLOW_OPS.has(op)
      ? (this.#options.slowTimeoutMs ?? DEFAULT_SLOW_TIMEOUT_MS)
      : (this.#options.timeoutMs ?? DEFAULT_TIMEOUT_MS);

    return new Promise<OpValue<O>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new MetacryptError('worker_timeout'));
      }, timeoutMs);
      this.#pending.set(id, {
        op,
        started: process.hrtime.bigint(),
        resolve: resolve as (value: unknown) => void,
        reject,
        timer,
      });
      // The compiler cannot tie a generic op to its union member; the
      // signature of call already did.
      this.#enqueue({ id, op, args } as Request, transfer);
    });
  }

  /**
   * close seals the vault, so every key is wiped before the thread goes,
   * then stops the worker for good. Calling it again returns the same
   * promise.
   */
  close(): Promise<void> {
    this.#closed ??= this.#shutDown();
    return this.#closed;
  }

  // New calls are refused from the start; the seal goes out directly, so
  // it is the last request this worker runs.
  async #shutDown(): Promise<void> {
    const sealing = this.#worker === null ? null : this.call('seal', {});
    this.#closing = true;
    try {
      await sealing;
    } catch {
      // A worker that cannot seal is stopped all the same, which frees
      // its memory with the thread.
    }
    if (this.#restartTimer !== null) clearTimeout(this.#restartTimer);
    const worker = this.#worker;
    this.#worker = null;
    await worker?.terminate();
    this.#failPending();
  }

  // Starts a worker and waits for it to say ready (or why it cannot).
  #spawn(): Promise<void> {
    const worker = this.#createWorker(WORKER_FILE, this.#options.worker);
    this.#worker = worker;

    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const onEvent = (event: WorkerEvent): void => {
        if (settled) return;
        settled = true;
        if (event.event === 'ready') {
          this.#quickFailures = 0;
          this.#hooks?.onReady(event.state, event.engineTypes);
          resolve();
        } else {
          reject(fromWireError(event.error));
        }
      };

      worker.on('message', (message: WorkerMessage) => {
        if (isWorkerEvent(message)) onEvent(message);
        else for (const reply of message) this.#settle(reply);
      });
      worker.on('error', (err) => {
        this.#options.logger?.error('key worker failed', {
          error: err.name,
        });
      });
      worker.on('exit', (exitCode) => {
        if (!settled) {
          settled = true;
          reject(new MetacryptError('sealed', 'key worker stopped at start'));
        }
        this.#onExit(worker, exitCode);
      });
    });
  }

  // Requests made in one turn of the event loop leave together in one
  // message, after the turn ends.
  #enqueue(request: Request, transfer: ArrayBuffer[]): void {
    this.#outbox.push(request);
    this.#outboxTransfer.push(...transfer);
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    setImmediate(() => {
      this.#flush();
    });
  }

  #flush(): void {
    const batch = this.#outbox;
    const transfer = this.#outboxTransfer;
    this.#outbox = [];
    this.#outboxTransfer = [];
    this.#flushScheduled = false;
    if (batch.length === 0) return;
    try {
      if (this.#worker === null) throw new MetacryptError('sealed');
      this.#worker.postMessage(batch, transfer);
    } catch (err) {
      const reason = err instanceof Error ? err : new Error(String(err));
      for (const request of batch) this.#reject(request.id, reason);
    }
  }

  #reject(id: number, reason: Error): void {
    const pending = this.#pending.get(id);
    if (pending === undefined) return;
    this.#pending.delete(id);
    clearTimeout(pending.timer);
    pending.reject(reason);
  }

  #settle(message: Reply): void {
    const pending = this.#pending.get(message.id);
    if (pending === undefined) return;
    this.#pending.delete(message.id);
    clearTimeout(pending.timer);
    const elapsed = process.hrtime.bigint() - pending.started;
    this.#options.onRoundTrip?.(pending.op, Number(elapsed) / 1e9, message.ok);
    if (message.ok) pending.resolve(message.value);
    else pending.reject(fromWireError(message.error));
  }

  // The worker is gone and every key with it: fail what was waiting and
  // start a fresh worker, which reads `sealed` until someone unseals.
  #onExit(worker: Worker, exitCode: number): void {
    if (this.#worker !== worker) return;
    this.#worker = null;
    this.#failPending();
    this.#hooks?.onExit();
    if (this.#closing) return;

    this.#options.logger?.error('key worker stopped; starting a sealed one', {
      exit_code: exitCode,
    });
    // A worker that dies at start (its database gone, say) is retried with
    // a growing delay rather than in a tight loop.
    const delay = Math.min(
      MAX_RESTART_DELAY_MS,
      this.#quickFailures === 0 ? 0 : 100 * 2 ** this.#quickFailures,
    );
    this.#quickFailures++;
    this.#restartTimer = setTimeout(() => {
      this.#restartTimer = null;
      if (this.#closing) return;
      this.#restarts++;
      this.#spawn().catch((err: unknown) => {
        this.#options.logger?.error('key worker could not start', {
          error: err instanceof Error ? err.message : 'unknown',
        });
      });
    }, delay);
  }

  // Requests not yet sent are dropped with the rest: they were meant for
  // the worker that died, and must not run on its successor.
  #failPending(): void {
    this.#outbox = [];
    this.#outboxTransfer = [];
    for (const [id, pending] of this.#pending) {
      clearTimeout(pending.timer);
      pending.reject(new MetacryptError('sealed'));
      this.#pending.delete(id);
    }
  }
}
