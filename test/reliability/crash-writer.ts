// The crash run's writer: several loops sending writes through the API
// (mounts, transit keys and rotations, policy rules created, replaced and
// deleted) and recording each one in the ledger only once its reply came.
import { randomBytes } from 'node:crypto';

import type { ApiReply, ApiSession } from './crash-session.js';
import { errorCode } from './crash-session.js';
import { keyId } from './crash-ledger.js';
import type {
  KeyRecord,
  Ledger,
  Pending,
  StoredRule,
  WriteKind,
} from './crash-ledger.js';
import type { Random } from './crash-random.js';

/** WriterOptions shape one round's writes. */
export interface WriterOptions {
  /** Loops writing at once. */
  readonly concurrency: number;
  /** The round number, part of every new name. */
  readonly round: number;
  /** Mounts beyond which no more are made. */
  readonly maxMounts: number;
  /** Rules beyond which deletions outweigh creations. */
  readonly maxRules: number;
}

const KEY_TYPES = ['aes256-gcm', 'chacha20-poly1305'] as const;
const ACTIONS = ['read', 'write', 'encrypt', 'decrypt', 'sign', 'hmac'];
const USERS = ['alice', 'bob', 'carol', 'dave'];

/**
 * Writer keeps writing until halted. A write whose request fails (the
 * server was killed under it) stays pending in the ledger, to be looked
 * up after the restart; a reply other than the expected one is an error
 * of the run, and the write stays pending too, since it may have landed.
 */
export class Writer {
  /** Replies that were not what a healthy server answers. */
  readonly errors: string[] = [];
  /** Requests that failed while the server was meant to be up. */
  transportErrors = 0;
  /** Writes sent this round. */
  sent = 0;
  /** Plain encryptions whose ciphertexts were kept. */
  ciphertextsKept = 0;
  readonly done: Promise<void>;
  readonly #session: ApiSession;
  readonly #ledger: Ledger;
  readonly #random: Random;
  readonly #options: WriterOptions;
  #halted = false;
  #sequence = 0;

  constructor(
    session: ApiSession,
    ledger: Ledger,
    random: Random,
    options: WriterOptions,
  ) {
    this.#session = session;
    this.#ledger = ledger;
    this.#random = random;
    this.#options = options;
    const loops = Array.from({ length: options.concurrency }, () =>
      this.#loop(),
    );
    this.done = Promise.all(loops).then(() => undefined);
  }

  /** halt stops new writes; those already sent finish or fail. */
  halt(): void {
    this.#halted = true;
  }

  /** isHalted tells whether halt was called. */
  isHalted(): boolean {
    return this.#halted;
  }

  async #loop(): Promise<void> {
    while (!this.isHalted()) {
      try {
        await this.#writeOne();
      } catch {
        // Asked afresh after the await: halt() may have come meanwhile.
        if (!this.isHalted()) this.transportErrors += 1;
      }
    }
  }

  // One write, chosen by weight among those that have a target.
  async #writeOne(): Promise<void> {
    const ledger = this.#ledger;
    const keys = ledger.idle(ledger.keys);
    const rules = ledger.idle(ledger.rules);
    const tooManyRules = ledger.rules.size > this.#options.maxRules;
    const kind = this.#random.weighted<WriteKind>({
      mount: ledger.mounts.size < this.#options.maxMounts ? 2 : 0,
      'create-key': 30,
      'rotate-key': keys.length > 0 ? 15 : 0,
      'create-rule': tooManyRules ? 5 : 25,
      'replace-rule': rules.length > 0 ? 15 : 0,
      'delete-rule': rules.length > 0 ? (tooManyRules ? 30 : 5) : 0,
    });
    switch (kind) {
      case 'mount':
        return this.#mount();
      case 'create-key':
        return this.#createKey();
      case 'rotate-key':
        return this.#rotateKey(this.#random.pick(keys));
      case 'create-rule':
        return this.#createRule();
      case 'replace-rule':
        return this.#replaceRule(this.#random.pick(rules));
      case 'delete-rule':
        return this.#deleteRule(this.#random.pick(rules));
    }
  }

  async #mount(): Promise<void> {
    const mount = this.#name('m');
    const reply = await this.#send({ kind: 'mount', mount }, mount, 201, () =>
      this.#session.post('/v1/engine/mount', { name: mount, type: 'transit' }),
    );
    if (reply !== undefined) {
      this.#ledger.mounts.add(mount);
      this.#settled('mount', mount);
    }
  }

  async #createKey(): Promise<void> {
    const mount = this.#random.pick([...this.#ledger.mounts]);
    const name = this.#name('k');
    const type = this.#random.pick(KEY_TYPES);
    const id = keyId(mount, name);
    const reply = await this.#send(
      { kind: 'create-key', mount, name, type },
      id,
      200,
      () =>
        this.#session.post(`/v1/transit/${mount}/create-key/${name}`, {
          type,
        }),
    );
    if (reply === undefined) return;
    const key: KeyRecord = { mount, name, type, version: 1, ciphertexts: [] };
    this.#ledger.keys.set(id, key);
    this.#settled('create-key', id, false);
    await this.#encrypt(key);
  }

  async #rotateKey(key: KeyRecord): Promise<void> {
    const id = keyId(key.mount, key.name);
    const reply = await this.#send({ kind: 'rotate-key', key }, id, 200, () =>
      this.#session.post(`/v1/transit/${key.mount}/rotate-key/${key.name}`),
    );
    if (reply === undefined) return;
    const latest = (reply.body as { latest_version?: unknown }).latest_version;
    if (latest !== key.version + 1) {
      this.errors.push(`rotate-key ${id}: answered version ${String(latest)}`);
      return;
    }
    key.version = latest;
    this.#settled('rotate-key', id, false);
    await this.#encrypt(key);
  }

  // Not a write: a value made under the key's latest version, kept to be
  // decrypted after every restart, proves the key stored is the key used.
  async #encrypt(key: KeyRecord): Promise<void> {
    const id = keyId(key.mount, key.name);
    try {
      const plaintext = randomBytes(24).toString('base64');
      const reply = await this.#session.post(
        `/v1/transit/${key.mount}/encrypt/${key.name}`,
        { plaintext },
      );
      const body = reply.body as {
        ciphertext?: unknown;
        key_version?: unknown;
      };
      if (
        reply.status === 200 &&
        typeof body.ciphertext === 'string' &&
        body.key_version === key.version
      ) {
        key.ciphertexts.push({ ciphertext: body.ciphertext, plaintext });
        this.ciphertextsKept += 1;
      } else {
        this.#expect(reply, 200, `encrypt ${id}`);
      }
    } finally {
      this.#ledger.busy.delete(id);
    }
  }

  async #createRule(): Promise<void> {
    const rule = this.#rule(this.#name('r'));
    const reply = await this.#send(
      { kind: 'create-rule', rule },
      rule.id,
      201,
      () => this.#session.post('/v1/policy/rules', rule),
    );
    if (reply !== undefined) {
      this.#ledger.rules.set(rule.id, reply.body as StoredRule);
      this.#settled('create-rule', rule.id);
    }
  }

  async #replaceRule(before: StoredRule): Promise<void> {
    const rule = this.#rule(before.id);
    const reply = await this.#send(
      { kind: 'replace-rule', before, rule },
      rule.id,
      200,
      () => this.#session.call('PUT', `/v1/policy/rule/${rule.id}`, rule),
    );
    if (reply !== undefined) {
      this.#ledger.rules.set(rule.id, reply.body as StoredRule);
      this.#settled('replace-rule', rule.id);
    }
  }

  async #deleteRule(before: StoredRule): Promise<void> {
    const reply = await this.#send(
      { kind: 'delete-rule', before },
      before.id,
      204,
      () => this.#session.call('DELETE', `/v1/policy/rule/${before.id}`),
    );
    if (reply !== undefined) {
      this.#ledger.rules.delete(before.id);
      this.#ledger.deletedRules.add(before.id);
      this.#settled('delete-rule', before.id);
    }
  }

  // Marks the target busy and the write pending, sends it, and tells
  // whether the expected reply came. Only that reply takes the write off
  // the pending list; any other leaves it to be looked up after restart.
  async #send(
    pending: Pending,
    target: string,
    status: number,
    request: () => Promise<ApiReply>,
  ): Promise<ApiReply | undefined> {
    this.#ledger.busy.add(target);
    this.#ledger.pending.add(pending);
    this.sent += 1;
    const reply = await request();
    if (!this.#expect(reply, status, `${pending.kind} ${target}`)) {
      return undefined;
    }
    this.#ledger.pending.delete(pending);
    return reply;
  }

  // Counts an acknowledged write and frees its target, unless a probe of
  // the same target follows and frees it itself.
  #settled(kind: WriteKind, target: string, free = true): void {
    this.#ledger.acknowledged[kind] += 1;
    if (free) this.#ledger.busy.delete(target);
  }

  #expect(reply: ApiReply, status: number, what: string): boolean {
    if (reply.status === status) return true;
    this.errors.push(
      `${what}: answered ${String(reply.status)} ${errorCode(reply) ?? ''}`,
    );
    return false;
  }

  #name(prefix: string): string {
    this.#sequence += 1;
    return `${prefix}${String(this.#options.round)}x${String(this.#sequence)}`;
  }

  // A rule in the form the server stores and answers it, every list given.
  #rule(id: string): StoredRule {
    const random = this.#random;
    return {
      id,
      priority: random.int(0, 10_000),
      effect: random.pick(['allow', 'deny']),
      usernames: [random.pick(USERS)],
      roles: [],
      resources: [`engine/transit/${random.pick(['encrypt', 'decrypt', '*'])}`],
      actions: [random.pick(ACTIONS)],
    };
  }
}
