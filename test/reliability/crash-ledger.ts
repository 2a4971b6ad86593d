// What the crash run's client knows it wrote: every write whose reply it
// received, and the writes still waiting for one when the server died.

/** KeptCiphertext is a transit value and the plaintext it must give. */
export interface KeptCiphertext {
  readonly ciphertext: string;
  readonly plaintext: string;
}

/** KeyRecord is a transit key as the acknowledged writes left it. */
export interface KeyRecord {
  readonly mount: string;
  readonly name: string;
  readonly type: string;
  /** The latest version: 1, plus every acknowledged rotation. */
  version: number;
  readonly ciphertexts: KeptCiphertext[];
}

/** StoredRule is a policy rule as the server answered it. */
export type StoredRule = Readonly<Record<string, unknown>> & {
  readonly id: string;
};

/** WriteKind names each kind of write the writer makes. */
export type WriteKind =
  | 'mount'
  | 'create-key'
  | 'rotate-key'
  | 'create-rule'
  | 'replace-rule'
  | 'delete-rule';

/**
 * Pending is a write sent without a reply yet. After a restart it either
 * landed or did not; the ledger then takes in what it finds.
 */
export type Pending =
  | { readonly kind: 'mount'; readonly mount: string }
  | {
      readonly kind: 'create-key';
      readonly mount: string;
      readonly name: string;
      readonly type: string;
    }
  | { readonly kind: 'rotate-key'; readonly key: KeyRecord }
  | { readonly kind: 'create-rule'; readonly rule: StoredRule }
  | {
      readonly kind: 'replace-rule';
      readonly before: StoredRule;
      readonly rule: StoredRule;
    }
  | { readonly kind: 'delete-rule'; readonly before: StoredRule };

/**
 * Ledger holds the client's record. A key or rule with a write pending is
 * busy: no second write goes to it until the first is settled, so after a
 * crash each one has at most two possible states, the acknowledged one
 * and the pending one.
 */
export class Ledger {
  readonly mounts = new Set<string>();
  readonly keys = new Map<string, KeyRecord>();
  readonly rules = new Map<string, StoredRule>();
  /** Ids of rules whose deletion was acknowledged. */
  readonly deletedRules = new Set<string>();
  readonly pending = new Set<Pending>();
  readonly busy = new Set<string>();
  /** Acknowledged writes, by kind. */
  readonly acknowledged: Record<WriteKind, number> = {
    mount: 0,
    'create-key': 0,
    'rotate-key': 0,
    'create-rule': 0,
    'replace-rule': 0,
    'delete-rule': 0,
  };

  /** acknowledgedTotal is every acknowledged write. */
  get acknowledgedTotal(): number {
    return Object.values(this.acknowledged).reduce((a, b) => a + b, 0);
  }

  /** ciphertextCount is every value kept for decryption. */
  get ciphertextCount(): number {
    let count = 0;
    for (const key of this.keys.values()) count += key.ciphertexts.length;
    return count;
  }

  /** idle lists the records of a map that no pending write touches. */
  idle<T>(map: ReadonlyMap<string, T>): T[] {
    const found: T[] = [];
    for (const [id, value] of map) if (!this.busy.has(id)) found.push(value);
    return found;
  }
}

/**
 * keyId names a transit key in the ledger's keys and busy set. Rules go
 * by their id, which has no `/`, so the two never collide.
 */
export function keyId(mount: string, name: string): string {
  return `${mount}/${name}`;
}
