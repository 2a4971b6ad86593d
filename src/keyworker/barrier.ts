// The barrier contract: encrypted storage by path. What the rest of the
// key worker (and, through the protocol, the main thread) may rely on.

/**
 * Barrier stores byte values by path behind encryption. Paths follow the
 * rules of barrier-path.ts; every value is sealed under the data key of
 * its path's key id, bound to the path, so a value copied to another path
 * does not open. A sealed barrier refuses every operation with `sealed`.
 */
export interface Barrier {
  /** get returns the value at path, or null when nothing is stored. */
  get(path: string): Buffer | null;
  /** put stores value at path, replacing what was there. */
  put(path: string, value: Uint8Array): void;
  /** delete removes path and tells whether anything was there. */
  delete(path: string): boolean;
  /** list returns every stored path under prefix, sorted. */
  list(prefix: string): string[];
}
