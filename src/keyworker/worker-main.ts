// The key worker's entry point: opens the database, builds the seal state
// machine and the Argon2 pool, and answers protocol requests. The MEK, the
// DEKs and every engine key exist in this thread and nowhere else.
import { parentPort, workerData } from 'node:worker_threads';

import { openMigratedDatabase } from '../db/index.js';
import type { Database } from '../db/index.js';
import { Argon2Pool } from './argon2-pool.js';
import { dispatch } from './dispatch.js';
import { assertPlainData } from './plain-data.js';
import type {
  Reply,
  Request,
  RequestBatch,
  WorkerMessage,
} from './protocol.js';
import { SealStateMachine } from './seal-state-machine.js';
import type { KeyWorkerOptions } from './worker-options.js';
import { toWireError } from './wire-error.js';

const port = parentPort;
if (port === null) {
  throw new Error('key worker: must run as a worker thread');
}

function post(message: WorkerMessage, transfer: ArrayBuffer[] = []): void {
  port?.postMessage(message, transfer);
}

// Replies wait in an outbox until the current batch of requests has run,
// then leave together in one message.
let outbox: Reply[] = [];
let outboxTransfer: ArrayBuffer[] = [];
let flushScheduled = false;

function reply(message: Reply, transfer: ArrayBuffer[] = []): void {
  outbox.push(message);
  outboxTransfer.push(...transfer);
  if (flushScheduled) return;
  flushScheduled = true;
  setImmediate(() => {
    const batch = outbox;
    const batchTransfer = outboxTransfer;
    outbox = [];
    outboxTransfer = [];
    flushScheduled = false;
    post(batch, batchTransfer);
  });
}

// Every reply passes assertPlainData before it is queued. If it fails, the
// caller gets `internal` and the value is dropped unsent.
async function serve(
  machine: SealStateMachine,
  request: Request,
): Promise<void> {
  try {
    const { value, transfer } = await dispatch(machine, request);
    assertPlainData(value);
    reply({ id: request.id, ok: true, value }, transfer);
  } catch (err) {
    reply({ id: request.id, ok: false, error: toWireError(err) });
  }
}

function start(options: KeyWorkerOptions): void {
  let db: Database | undefined;
  try {
    db = openMigratedDatabase(options.dbPath).db;
    const machine = new SealStateMachine({
      db,
      pool: new Argon2Pool(),
      kdf: options.kdf,
      minPasswordLength: options.minPasswordLength,
      ...(options.limiter === undefined ? {} : { limiter: options.limiter }),
    });
    port?.on('message', (batch: RequestBatch) => {
      for (const request of batch) void serve(machine, request);
    });
    post({ event: 'ready', state: machine.status().state });
  } catch (err) {
    // Report why, then let the thread end: with no listener on the port
    // and no pool, nothing keeps it alive.
    db?.close();
    post({ event: 'fatal', error: toWireError(err) });
    process.exitCode = 1;
  }
}

start(workerData as KeyWorkerOptions);
