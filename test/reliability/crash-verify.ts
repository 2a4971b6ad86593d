// After a restart: which pending writes landed (taken into the ledger), and
// whether every acknowledged write is present and reads back correct.
import { randomBytes } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';

import type { ApiSession } from './crash-session.js';
import { errorCode } from './crash-session.js';
import { keyId } from './crash-ledger.js';
import type { KeyRecord, Ledger, Pending, StoredRule } from './crash-ledger.js';

/** Settled is what became of the writes pending at the kill. */
export interface Settled {
  readonly landed: number;
  readonly notLanded: number;
  /** Pending writes found in neither state: half a write, say. */
  readonly torn: string[];
}

/** Checked is what a check of the acknowledged writes found. */
export interface Checked {
  /** Acknowledged writes missing or reading back wrong. */
  readonly lost: string[];
  readonly rules: number;
  readonly keys: number;
  readonly ciphertexts: number;
  readonly mounts: number;
}

// Requests at once while checking; enough to keep the server busy.
const CHECK_CONCURRENCY = 8;

/**
 * settlePending looks up every write pending at the kill. One that landed
 * enters the ledger as if acknowledged (it is then checked like the rest
 * from the next round on); one that did not is forgotten, its name never
 * used again. Either way its target is free again.
 */
export async function settlePending(
  session: ApiSession,
  ledger: Ledger,
): Promise<Settled> {
  const rules = await listRules(session);
  const mounts = await listMounts(session);
  let landed = 0;
  let notLanded = 0;
  const torn: string[] = [];
  const outcome = (result: boolean | string): void => {
    if (result === true) landed += 1;
    else if (result === false) notLanded += 1;
    else torn.push(result);
  };

  for (const pending of ledger.pending) {
    outcome(await settleOne(session, ledger, pending, rules, mounts));
  }
  ledger.pending.clear();
  ledger.busy.clear();
  return { landed, notLanded, torn };
}

// true: landed; false: did not; a string: what is wrong instead.
async function settleOne(
  session: ApiSession,
  ledger: Ledger,
  pending: Pending,
  rules: ReadonlyMap<string, StoredRule>,
  mounts: ReadonlySet<string>,
): Promise<boolean | string> {
  switch (pending.kind) {
    case 'mount': {
      if (mounts.has(pending.mount)) ledger.mounts.add(pending.mount);
      return mounts.has(pending.mount);
    }
    case 'create-key': {
      const { mount, name, type } = pending;
      if (!mounts.has(mount)) return `key ${mount}/${name}: mount is gone`;
      const reply = await session.post(`/v1/transit/${mount}/get-key/${name}`);
      if (reply.status === 404) return false;
      const version = latestVersion(reply.body);
      if (reply.status !== 200 || version !== 1) {
        return `key ${mount}/${name}: landed as ${describe(reply.status, reply.body)}`;
      }
      const key: KeyRecord = { mount, name, type, version, ciphertexts: [] };
      const works = await roundTrip(session, key);
      if (works !== true) return works;
      ledger.keys.set(keyId(mount, name), key);
      return true;
    }
    case 'rotate-key': {
      const { key } = pending;
      const reply = await session.post(
        `/v1/transit/${key.mount}/get-key/${key.name}`,
      );
      const version = latestVersion(reply.body);
      if (reply.status === 200 && version === key.version) return false;
      if (reply.status !== 200 || version !== key.version + 1) {
        return (
          `key ${key.mount}/${key.name}: after a rotation of version ` +
          `${String(key.version)}, ${describe(reply.status, reply.body)}`
        );
      }
      key.version = version;
      return roundTrip(session, key);
    }
    case 'create-rule': {
      const found = rules.get(pending.rule.id);
      if (found === undefined) return false;
      if (!isDeepStrictEqual(found, pending.rule)) {
        return `rule ${pending.rule.id}: created with other content`;
      }
      ledger.rules.set(found.id, found);
      return true;
    }
    case 'replace-rule': {
      const found = rules.get(pending.rule.id);
      if (isDeepStrictEqual(found, pending.before)) return false;
      if (!isDeepStrictEqual(found, pending.rule)) {
        return `rule ${pending.rule.id}: neither the old nor the new rule`;
      }
      ledger.rules.set(pending.rule.id, pending.rule);
      return true;
    }
    case 'delete-rule': {
      const found = rules.get(pending.before.id);
      if (found === undefined) {
        ledger.rules.delete(pending.before.id);
        ledger.deletedRules.add(pending.before.id);
        return true;
      }
      if (isDeepStrictEqual(found, pending.before)) return false;
      return `rule ${pending.before.id}: changed by a deletion`;
    }
  }
}

/**
 * checkAcknowledged reads back everything the ledger holds: each rule
 * equal to what the server answered, each deleted rule still gone, no
 * rule nobody wrote, each mount listed, each key at its version, and each
 * kept ciphertext decrypting to its plaintext.
 */
export async function checkAcknowledged(
  session: ApiSession,
  ledger: Ledger,
): Promise<Checked> {
  const lost: string[] = [];

  // Step 1: the rules, all in one list.
  const rules = await listRules(session);
  for (const [id, rule] of ledger.rules) {
    const found = rules.get(id);
    if (found === undefined) lost.push(`rule ${id} is missing`);
    else if (!isDeepStrictEqual(found, rule)) lost.push(`rule ${id} differs`);
  }
  for (const id of ledger.deletedRules) {
    if (rules.has(id)) lost.push(`rule ${id} was deleted, and is back`);
  }
  for (const id of rules.keys()) {
    if (!ledger.rules.has(id)) lost.push(`rule ${id} was never written`);
  }

  // Step 2: the mounts.
  const mounts = await listMounts(session);
  for (const mount of ledger.mounts) {
    if (!mounts.has(mount)) lost.push(`mount ${mount} is missing`);
  }

  // Step 3: every key and every value made with it.
  let ciphertexts = 0;
  await eachLimited([...ledger.keys.values()], async (key) => {
    ciphertexts += key.ciphertexts.length;
    const problem = await checkKey(session, key);
    if (problem !== undefined) lost.push(problem);
  });
  return {
    lost,
    rules: ledger.rules.size + ledger.deletedRules.size,
    keys: ledger.keys.size,
    ciphertexts,
    mounts: ledger.mounts.size,
  };
}

async function checkKey(
  session: ApiSession,
  key: KeyRecord,
): Promise<string | undefined> {
  const id = `key ${key.mount}/${key.name}`;
  const reply = await session.post(
    `/v1/transit/${key.mount}/get-key/${key.name}`,
  );
  if (reply.status !== 200) {
    return `${id}: ${describe(reply.status, reply.body)}`;
  }
  const body = reply.body as { type?: unknown; latest_version?: unknown };
  if (body.type !== key.type || body.latest_version !== key.version) {
    return (
      `${id}: is ${String(body.type)} version ` +
      `${String(body.latest_version)}, not ${key.type} version ` +
      String(key.version)
    );
  }
  if (key.ciphertexts.length === 0) return undefined;

  const decrypt = await session.post(
    `/v1/transit/${key.mount}/decrypt/${key.name}`,
    { batch_input: key.ciphertexts.map((c) => ({ ciphertext: c.ciphertext })) },
  );
  const results = (
    decrypt.body as { batch_results?: { plaintext?: unknown }[] }
  ).batch_results;
  if (decrypt.status !== 200 || results === undefined) {
    return `${id}: decrypt ${describe(decrypt.status, decrypt.body)}`;
  }
  const wrong = key.ciphertexts.filter(
    (kept, i) => results[i]?.plaintext !== kept.plaintext,
  );
  return wrong.length === 0
    ? undefined
    : `${id}: ${String(wrong.length)} of ${String(key.ciphertexts.length)} ` +
        'values no longer decrypt to their plaintext';
}

// A key that landed without its reply must also work: encrypt under its
// latest version and decrypt again.
async function roundTrip(
  session: ApiSession,
  key: KeyRecord,
): Promise<true | string> {
  const plaintext = randomBytes(16).toString('base64');
  const base = `/v1/transit/${key.mount}`;
  const sealed = await session.post(`${base}/encrypt/${key.name}`, {
    plaintext,
  });
  const { ciphertext } = sealed.body as { ciphertext?: unknown };
  if (sealed.status !== 200 || typeof ciphertext !== 'string') {
    return (
      `key ${key.mount}/${key.name}: landed but cannot encrypt ` +
      `(${describe(sealed.status, sealed.body)})`
    );
  }
  const opened = await session.post(`${base}/decrypt/${key.name}`, {
    ciphertext,
  });
  if ((opened.body as { plaintext?: unknown }).plaintext !== plaintext) {
    return `key ${key.mount}/${key.name}: landed but does not decrypt`;
  }
  key.ciphertexts.push({ ciphertext, plaintext });
  return true;
}

async function listRules(
  session: ApiSession,
): Promise<Map<string, StoredRule>> {
  const reply = await session.call('GET', '/v1/policy/rules');
  if (reply.status !== 200) {
    throw new Error(`list rules: ${describe(reply.status, reply.body)}`);
  }
  const { rules } = reply.body as { rules: StoredRule[] };
  return new Map(rules.map((rule) => [rule.id, rule]));
}

async function listMounts(session: ApiSession): Promise<Set<string>> {
  const reply = await session.call('GET', '/v1/engine/mounts');
  if (reply.status !== 200) {
    throw new Error(`list mounts: ${describe(reply.status, reply.body)}`);
  }
  const { mounts } = reply.body as { mounts: { name: string }[] };
  return new Set(mounts.map((mount) => mount.name));
}

function latestVersion(body: unknown): unknown {
  return (body as { latest_version?: unknown } | null)?.latest_version;
}

function describe(status: number, body: unknown): string {
  return `${String(status)} ${errorCode({ status, body }) ?? ''}`.trim();
}

// Runs fn over items, a few at a time.
async function eachLimited<T>(
  items: readonly T[],
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next];
      next += 1;
      if (item !== undefined) await fn(item);
    }
  };
  await Promise.all(Array.from({ length: CHECK_CONCURRENCY }, worker));
}
