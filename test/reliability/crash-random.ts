// A small seeded generator for the reliability runs, so a run that found
// something can be repeated with the seed it printed.

/** Random draws numbers from one seed (mulberry32: fast, not secure). */
export class Random {
  readonly seed: number;
  #state: number;

  constructor(seed: number) {
    this.seed = seed >>> 0;
    this.#state = this.seed;
  }

  /** fromEnv takes the seed from the environment variable, or makes one. */
  static fromEnv(name: string): Random {
    const given = process.env[name];
    if (given !== undefined && /^\d+$/.test(given)) {
      return new Random(Number(given));
    }
    return new Random(Math.floor(Math.random() * 2 ** 32));
  }

  /** next is a float in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  }

  /** int is an integer from min to max, both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** pick is one element of a non-empty list. */
  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }

  /** weighted picks a key with probability proportional to its weight. */
  weighted<K extends string>(weights: Readonly<Record<K, number>>): K {
    const entries = Object.entries(weights) as [K, number][];
    const total = entries.reduce((sum, [, w]) => sum + w, 0);
    let at = this.next() * total;
    for (const [key, weight] of entries) {
      at -= weight;
      if (at < 0) return key;
    }
    const last = entries.at(-1);
    if (last === undefined) throw new Error('no weights');
    return last[0];
  }
}
