// Counts seal state changes, so a session can be bound to the stretch of
// time the vault stayed unsealed in.
import type { KeyWorkerClient } from '../../keyworker/index.js';

/**
 * SealEpoch is a counter that moves on every change of the seal state:
 * a seal, an unseal, an init, a key worker that died. A session cookie
 * names the epoch it was issued in and works only while that epoch lasts,
 * so a cookie from before a seal never works again, not even after the
 * next unseal.
 */
export class SealEpoch {
  #value = 0;

  constructor(worker: Pick<KeyWorkerClient, 'onStateChange'>) {
    worker.onStateChange(() => {
      this.#value++;
    });
  }

  /** current is the epoch now. */
  get current(): number {
    return this.#value;
  }
}
