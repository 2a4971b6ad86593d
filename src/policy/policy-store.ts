// The rule store: rules kept in the barrier, one JSON entry per rule at
// `sys/policy/rules/<id>`, with a plaintext copy cached on the main thread
// for checking requests (DESIGN.md §3 and §7).
import { MetacryptError } from '../errors/index.js';
import { compareRules, evaluate } from './evaluate.js';
import type { Decision, PolicyRequest } from './evaluate.js';
import { parseRule, parseRuleId } from './rule.js';
import type { PolicyRule } from './rule.js';

/**
 * RuleStorage is the part of the barrier the store needs; KeyWorkerClient
 * has exactly these methods.
 */
export interface RuleStorage {
  barrierGet(path: string): Promise<Uint8Array | null>;
  barrierPut(path: string, value: Uint8Array): Promise<unknown>;
  barrierDelete(path: string): Promise<boolean>;
  barrierList(prefix: string): Promise<readonly string[]>;
}

/** RULES_PREFIX is the barrier prefix every rule is stored under. */
export const RULES_PREFIX = 'sys/policy/rules/';

/** PutResult says what a put stored and whether the rule is new. */
export interface PutResult {
  readonly rule: PolicyRule;
  readonly created: boolean;
}

// What a load found: the rules in evaluation order, or the stored rule
// that does not parse. Either stays until a change or a seal.
type Snapshot =
  | { readonly rules: readonly PolicyRule[] }
  | { readonly failure: MetacryptError };

const decoder = new TextDecoder('utf-8', { fatal: true });
const encoder = new TextEncoder();

/**
 * PolicyStore keeps the rules in the barrier and decides requests from a
 * cached copy. Changes run one at a time, so a create's existence check
 * cannot race another create, and each change reloads the cache before it
 * resolves. A stored rule that fails its integrity check, or does not
 * parse, fails closed: loading and every non-admin check throw the error
 * naming it (`barrier_integrity` or `internal`), since skipping it could
 * skip a deny; admins still pass, so they can replace or delete it.
 */
export class PolicyStore {
  readonly #storage: RuleStorage;
  #snapshot: Snapshot | undefined;
  #pending: Promise<Snapshot> | undefined;
  // Bumped by every change and by clear(), so a load that began before
  // one never installs what it read.
  #generation = 0;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(storage: RuleStorage) {
    this.#storage = storage;
  }

  /**
   * load reads every rule from the barrier, replacing the cache, and
   * returns them in evaluation order. It throws `barrier_integrity` when a
   * stored rule fails to open, `internal` when one does not parse, and
   * whatever else the barrier throws (`sealed`).
   */
  async load(): Promise<readonly PolicyRule[]> {
    return rulesOf(await this.#serial(() => this.#reload()));
  }

  /** clear drops the cached rules, on seal; the next use loads again. */
  clear(): void {
    this.#invalidate();
  }

  /** list returns every rule in evaluation order, loading if needed. */
  async list(): Promise<readonly PolicyRule[]> {
    return rulesOf(await this.#current());
  }

  /**
   * get reads one rule, or throws `not_found`. It reads the barrier, not
   * the cache, so one damaged rule does not hide the others.
   */
  async get(id: string): Promise<PolicyRule> {
    const ruleId = parseRuleId(id);
    const stored = await this.#storage.barrierGet(rulePath(ruleId));
    if (stored === null) throw notFound(ruleId);
    return decodeRule(ruleId, stored);
  }

  /** create stores a new rule, or throws `already_exists` for its id. */
  async create(input: unknown): Promise<PolicyRule> {
    const rule = parseRule(input);
    return this.#change(async () => {
      const path = rulePath(rule.id);
      if ((await this.#storage.barrierGet(path)) !== null) {
        throw new MetacryptError(
          'already_exists',
          `policy rule ${rule.id} already exists`,
        );
      }
      await this.#storage.barrierPut(path, encodeRule(rule));
      return rule;
    });
  }

  /**
   * put stores the rule with id, creating it or replacing the old one. A
   * stored rule that fails its integrity check is replaced like any other,
   * since writing a good rule over it is how it is repaired.
   */
  async put(id: string, input: unknown): Promise<PutResult> {
    const rule = parseRule(input, id);
    return this.#change(async () => {
      const path = rulePath(rule.id);
      const created = !(await this.#exists(path));
      await this.#storage.barrierPut(path, encodeRule(rule));
      return { rule, created };
    });
  }

  // Whether a rule is stored at path, readable or not.
  async #exists(path: string): Promise<boolean> {
    try {
      return (await this.#storage.barrierGet(path)) !== null;
    } catch (err) {
      if (isIntegrityFailure(err)) return true;
      throw err;
    }
  }

  /** delete removes the rule with id, or throws `not_found`. */
  async delete(id: string): Promise<void> {
    const ruleId = parseRuleId(id);
    await this.#change(async () => {
      const existed = await this.#storage.barrierDelete(rulePath(ruleId));
      if (!existed) throw notFound(ruleId);
    });
  }

  /**
   * check decides request against the rules, loading them if needed.
   * Requests decided without rules (admins, admin-only operations) never
   * touch the barrier, so an admin passes even when a rule is damaged.
   */
  async check(request: PolicyRequest): Promise<Decision> {
    if (request.isAdmin || request.adminOnly) return evaluate([], request);
    return evaluate(rulesOf(await this.#current()), request);
  }

  // The cached snapshot, or one load shared by every caller that needs it.
  #current(): Promise<Snapshot> {
    if (this.#snapshot !== undefined) return Promise.resolve(this.#snapshot);
    if (this.#pending !== undefined) return this.#pending;

    const pending = this.#serial(() => this.#reload()).finally(() => {
      if (this.#pending === pending) this.#pending = undefined;
    });
    this.#pending = pending;
    return pending;
  }

  // Runs one change in the queue, then reloads. The cache is dropped even
  // when the change fails, since a timed-out write may still have landed.
  #change<T>(apply: () => Promise<T>): Promise<T> {
    return this.#serial(async () => {
      try {
        return await apply();
      } finally {
        this.#invalidate();
        await this.#reloadAfterChange();
      }
    });
  }

  // A change that was stored must not be reported as failed because the
  // reload after it failed: the caller would retry a create and get
  // `already_exists`. The cache stays empty and the next use loads again,
  // meeting the same error where it can be reported.
  async #reloadAfterChange(): Promise<void> {
    try {
      await this.#reload();
    } catch {
      this.#invalidate();
    }
  }

  // Reads every rule and installs the result, unless a change or a seal
  // came in meanwhile. Runs only inside the queue.
  async #reload(): Promise<Snapshot> {
    const generation = this.#generation;
    const snapshot = await this.#read();
    if (generation === this.#generation) this.#snapshot = snapshot;
    return snapshot;
  }

  async #read(): Promise<Snapshot> {
    const paths = await this.#storage.barrierList(RULES_PREFIX);
    const rules: PolicyRule[] = [];
    for (const path of paths) {
      const id = path.slice(RULES_PREFIX.length);
      let stored: Uint8Array | null;
      try {
        stored = await this.#storage.barrierGet(path);
      } catch (err) {
        if (!isIntegrityFailure(err)) throw err;
        return { failure: err };
      }
      // Listed but gone: deleted by a change, which reloads after itself.
      if (stored === null) continue;
      try {
        rules.push(decodeRule(id, stored));
      } catch (err) {
        if (!(err instanceof MetacryptError && err.code === 'internal')) {
          throw err;
        }
        return { failure: err };
      }
    }
    return { rules: Object.freeze(rules.sort(compareRules)) };
  }

  #invalidate(): void {
    this.#generation++;
    this.#snapshot = undefined;
    this.#pending = undefined;
  }

  // Runs task after every task queued before it, whether they failed or
  // not, so barrier reads for a load never interleave with a change.
  #serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task, task);
    this.#queue = run.catch(() => undefined);
    return run;
  }
}

// A stored rule the barrier refuses to open: damage that stays until the
// rule is replaced or deleted, unlike `sealed` or a timeout, which pass.
function isIntegrityFailure(err: unknown): err is MetacryptError {
  return err instanceof MetacryptError && err.code === 'barrier_integrity';
}

function rulesOf(snapshot: Snapshot): readonly PolicyRule[] {
  if ('failure' in snapshot) throw snapshot.failure;
  return snapshot.rules;
}

function rulePath(id: string): string {
  return `${RULES_PREFIX}${id}`;
}

function encodeRule(rule: PolicyRule): Uint8Array {
  return encoder.encode(JSON.stringify(rule));
}

// A stored rule must be UTF-8 JSON that parses as a rule with the id its
// path names; anything else is damage, reported without its contents.
function decodeRule(id: string, stored: Uint8Array): PolicyRule {
  try {
    return parseRule(JSON.parse(decoder.decode(stored)), id);
  } catch (err) {
    throw new MetacryptError(
      'internal',
      `policy: stored rule ${id} is invalid`,
      { cause: err },
    );
  }
}

function notFound(id: string): MetacryptError {
  return new MetacryptError('not_found', `policy rule ${id} not found`);
}
