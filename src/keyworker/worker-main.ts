// The key worker's entry point: opens the database, builds the seal state
// machine and the Argon2 pool, and answers protocol requests. The MEK, the
// DEKs and every engine key exist in this thread and nowhere else.
import { parentPort, workerData } from 'node:worker_threads';

import { dispatch } from './dispatch.js';
import type { Dispatched, WorkerServices } from './dispatch.js';
import { assertPlainData } from './plain-data.js';
import type {
  Reply,
  Request,
  RequestBatch,
  WorkerMessage,
} from './protocol.js';
import type { KeyWorkerOptions } from './worker-options.js';
import { openWorkerServices } from './worker-services.js';
import { toWireError } from './wire-error.js';

const port = parentPort;
if (port === null) {
  throw new Error('key worker: must run as a worker thread');
}

function post(message: WorkerMessage, transfer: ArrayBuffer[] = []): void {
  port?.postMessage(message, transfer);
}

// Replies wait in an outbox and leave together in one message, which costs
// far less than a message each. The outbox leaves when the current batch
// of requests has run, or earlier once it holds FLUSH_AT replies: the main
// thread can then send more work while this thread finishes the batch, so
// neither thread waits for the other's whole turn.
const FLUSH_AT = 16;
let outbox: Reply[] = [];
let outboxTransfer: ArrayBuffer[] = [];
let flushScheduled = false;

function flush(): void {
  const batch = outbox;
  const batchTransfer = outboxTransfer;
  outbox = [];
  outboxTransfer = [];
  if (batch.length > 0) post(batch, batchTransfer);
}

function reply(message: Reply, transfer: readonly ArrayBuffer[] = []): void {
  outbox.push(message);
  for (const buffer of transfer) outboxTransfer.push(buffer);
  if (outbox.length >= FLUSH_AT) {
    flush();
    return;
  }
  if (flushScheduled) return;
  flushScheduled = true;
  setImmediate(() => {
    flushScheduled = false;
    flush();
  });
}

// Every reply passes assertPlainData before it is queued. If it fails, the
// caller gets `internal` and the value is dropped unsent.
function answer(id: number, dispatched: Dispatched): void {
  try {
    assertPlainData(dispatched.value);
  } catch (err) {
    fail(id, err);
    return;
  }
  reply({ id, ok: true, value: dispatched.value }, dispatched.transfer);
}

function fail(id: number, err: unknown): void {
  reply({ id, ok: false, error: toWireError(err) });
}

function serve(services: WorkerServices, request: Request): void {
  let result: Dispatched | Promise<Dispatched>;
  try {
    result = dispatch(services, request);
  } catch (err) {
    fail(request.id, err);
    return;
  }
  if (result instanceof Promise) {
    result.then(
      (dispatched) => {
        answer(request.id, dispatched);
      },
      (err: unknown) => {
        fail(request.id, err);
      },
    );
  } else {
    answer(request.id, result);
  }
}

function isRequestShaped(value: unknown): value is Request {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { id?: unknown }).id === 'number'
  );
}

async function start(options: KeyWorkerOptions): Promise<void> {
  try {
    const { services } = await openWorkerServices(options);
    port?.on('message', (batch: RequestBatch) => {
      // Only the channel writes to this port, but a message that is not
      // a batch of requests must not end the thread that holds the keys.
      if (!Array.isArray(batch)) return;
      for (const request of batch) {
        if (isRequestShaped(request)) serve(services, request);
      }
    });
    post({
      event: 'ready',
      state: services.machine.status().state,
      engineTypes: services.engines.types,
    });
  } catch (err) {
    // Report why, then let the thread end: with no listener on the port
    // and no pool, nothing keeps it alive.
    post({ event: 'fatal', error: toWireError(err) });
    process.exitCode = 1;
  }
}

await start(workerData as KeyWorkerOptions);
