// Runs one protocol request against the seal state machine and the engine
// host, and shapes the reply value, with the buffers to transfer with it.
import { zeroize } from '../crypto/index.js';
import { MetacryptError, quoteInput } from '../errors/index.js';
import { checkMainThreadPath, checkMainThreadPrefix } from './barrier-path.js';
import type { EngineHost } from './engine-host.js';
import type { Request } from './protocol.js';
import type { SealStateMachine } from './seal-state-machine.js';

/** WorkerServices are what requests run against inside the worker. */
export interface WorkerServices {
  readonly machine: SealStateMachine;
  readonly engines: EngineHost;
}

/** Dispatched is a reply value and the buffers to transfer with it. */
export interface Dispatched {
  readonly value: unknown;
  readonly transfer: ArrayBuffer[];
}

/**
 * dispatch runs request. Operations that derive a key or wait on the seal
 * queue answer with a promise; barrier and keyring operations answer at
 * once, so a batch of them is answered as it runs rather than after it.
 * Arguments are checked at run time as well as by the compiler, since a
 * message is only as typed as its sender. The main thread reaches only
 * `sys/` through the barrier ops: engine entries, which hold engine keys,
 * are read and written by their cores alone.
 */
export function dispatch(
  { machine, engines }: WorkerServices,
  request: Request,
): Dispatched | Promise<Dispatched> {
  switch (request.op) {
    case 'status':
      return plain(machine.status());
    case 'init':
      return machine.init(bytesArg(request.args.password)).then(plain);
    case 'unseal':
      return machine.unseal(bytesArg(request.args.password)).then(plain);
    case 'seal':
      return machine.seal().then(plain);
    case 'rekey':
      return machine
        .rekey(
          bytesArg(request.args.oldPassword),
          bytesArg(request.args.newPassword),
        )
        .then(plain);
    case 'mek.rotate':
      return machine.rotateMek(bytesArg(request.args.password)).then(plain);
    case 'barrier.get':
      return bytesReply(machine.barrier.get(pathArg(request.args.path)));
    case 'barrier.put':
      machine.barrier.put(
        pathArg(request.args.path),
        bytesArg(request.args.value),
      );
      return plain(null);
    case 'barrier.delete':
      return plain(machine.barrier.delete(pathArg(request.args.path)));
    case 'barrier.list':
      return plain(
        machine.barrier.list(
          checkMainThreadPrefix(stringArg(request.args.prefix)),
        ),
      );
    case 'keys.list':
      return plain(machine.listKeys());
    case 'keys.rotate':
      return plain(machine.rotateKey(stringArg(request.args.keyId)));
    case 'mount.list':
      return plain({ mounts: engines.list(), damaged: engines.damaged() });
    case 'mount.create':
      return plain(
        engines.mount(
          request.args.name,
          request.args.type,
          request.args.config,
        ),
      );
    case 'mount.delete':
      return plain(engines.unmount(request.args.name));
    case 'engine.request':
      return plain(
        engines.request(
          request.args.mount,
          request.args.operation,
          request.args.data,
          request.args.caller,
        ),
      );
    default:
      throw new MetacryptError(
        'bad_request',
        `key worker: unknown operation ${quoteInput(
          (request as { op: unknown }).op,
        )}`,
      );
  }
}

function plain(value: unknown): Dispatched {
  return { value, transfer: [] };
}

// The plaintext goes back in a buffer of its own, transferred rather than
// copied; the decryption buffer is wiped so no second copy lingers here.
function bytesReply(plaintext: Buffer | null): Dispatched {
  if (plaintext === null) return plain(null);
  const out = new Uint8Array(plaintext.length);
  out.set(plaintext);
  zeroize(plaintext);
  return { value: out, transfer: [out.buffer] };
}

function bytesArg(value: unknown): Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw new MetacryptError('bad_request', 'key worker: expected bytes');
  }
  return value;
}

function pathArg(value: unknown): string {
  return checkMainThreadPath(stringArg(value));
}

function stringArg(value: unknown): string {
  if (typeof value !== 'string') {
    throw new MetacryptError('bad_request', 'key worker: expected a string');
  }
  return value;
}
