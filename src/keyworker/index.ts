// The key worker's main-thread surface: the client and the protocol types.
// Nothing here imports key-handling code; that stays in the worker.
export { KeyWorkerClient } from './client.js';
export type {
  KeyWorkerClientOptions,
  Password,
  StateListener,
} from './client.js';
export { WORKER_FILE } from './worker-channel.js';
export type { CreateWorker, WorkerChannelOptions } from './worker-channel.js';
export { isWorkerEvent, SEAL_STATES } from './protocol.js';
export type {
  DamagedMount,
  EngineRequestArgs,
  KeyInfo,
  MekRotateValue,
  MountInfo,
  MountTable,
  OpArgs,
  OpMap,
  OpName,
  OpValue,
  RekeyValue,
  Reply,
  Request,
  SealState,
  StatusValue,
  UnmountValue,
  WireError,
  WorkerEvent,
  WorkerMessage,
} from './protocol.js';
export { keyWorkerOptions } from './worker-options.js';
export type { EngineModule, KeyWorkerOptions } from './worker-options.js';
export { UNSEAL_LIMIT } from './unseal-limiter.js';
export type { LimiterPolicy } from './unseal-limiter.js';
