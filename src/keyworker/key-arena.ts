// Every key buffer the key worker holds, so that sealing can wipe them all
// in one place, including any a code path forgot to release.
import { zeroize } from '../crypto/index.js';

/**
 * KeyArena owns the key buffers of one key worker: the MEK, unwrapped
 * DEKs and the transient KWKs. A buffer is adopted when it is made and
 * released (zeroized) when it is no longer needed; wipeAll zeroizes
 * whatever is still held, which is what seal does.
 */
export class KeyArena {
  readonly #held = new Set<Uint8Array>();

  /** adopt registers buf as key material and returns it. */
  adopt<T extends Uint8Array>(buf: T): T {
    this.#held.add(buf);
    return buf;
  }

  /** release zeroizes buf and forgets it. */
  release(buf: Uint8Array | null | undefined): void {
    if (buf === null || buf === undefined) return;
    zeroize(buf);
    this.#held.delete(buf);
  }

  /** wipeAll zeroizes every held buffer and returns how many there were. */
  wipeAll(): number {
    const count = this.#held.size;
    for (const buf of this.#held) zeroize(buf);
    this.#held.clear();
    return count;
  }

  /** size is the number of key buffers held now. */
  get size(): number {
    return this.#held.size;
  }
}
