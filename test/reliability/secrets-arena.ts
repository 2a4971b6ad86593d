// The key worker's services, built in this thread exactly as the worker
// builds them (openWorkerServices) but over an arena that remembers every
// buffer it was given, driven through the worker's own dispatch with keys
// of every transit type loaded and used; then sealed, and every buffer
// looked at. Only counts leave this module, never a byte.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { isAllZero } from '../../src/crypto/index.js';
import type { JsonObject } from '../../src/engine/json.js';
import {
  KEY_PURPOSE,
  TRANSIT_KEY_TYPES,
} from '../../src/engines/transit/key-type-names.js';
import { dispatch } from '../../src/keyworker/dispatch.js';
import type { WorkerServices } from '../../src/keyworker/dispatch.js';
import { KeyArena } from '../../src/keyworker/key-arena.js';
import type { Request } from '../../src/keyworker/protocol.js';
import { openWorkerServices } from '../../src/keyworker/worker-services.js';
import {
  bytes,
  PASSWORD,
  readRealKeys,
  workerOptions,
} from '../keyworker/vault-scratch.js';

/** RecordingArena also keeps every buffer it adopted, to check later. */
export class RecordingArena extends KeyArena {
  readonly seen: Uint8Array[] = [];

  override adopt<T extends Uint8Array>(buf: T): T {
    this.seen.push(buf);
    return super.adopt(buf);
  }
}

/** ArenaReport is what the arena held, and what was left after seal. */
export interface ArenaReport {
  /** Seal-unseal rounds of use before the final seal. */
  readonly rounds: number;
  readonly keyTypes: readonly string[];
  /** Every buffer the arena was ever given. */
  readonly buffersChecked: number;
  /** Buffers holding anything but zeros after the final seal. */
  readonly nonZero: number;
  /** Buffers the arena held just before the final seal, and after. */
  readonly heldBeforeSeal: number;
  readonly heldAfterSeal: number;
  /** The real MEK was among the held buffers before the seal. */
  readonly mekHeld: boolean;
  /** DEK versions in the database, and how many were held. */
  readonly deks: number;
  readonly deksHeld: number;
  /** Transit key versions in the database, and how many were held. */
  readonly transitVersions: number;
  readonly transitVersionsHeld: number;
  /** Password buffers handed to the worker, and those not wiped. */
  readonly passwords: number;
  readonly passwordsNonZero: number;
}

const ADMIN = { username: 'admin', isAdmin: true } as const;

/**
 * arenaAfterSeal runs the whole check on a new vault in a directory of
 * its own, removed afterwards.
 */
export async function arenaAfterSeal(rounds: number): Promise<ArenaReport> {
  const dir = mkdtempSync(join(tmpdir(), 'metacrypt-arena-'));
  const arena = new RecordingArena();
  const opened = await openWorkerServices(workerOptions(dir), arena);
  try {
    return await exercise(opened.services, arena, dir, rounds);
  } finally {
    await opened.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function exercise(
  services: WorkerServices,
  arena: RecordingArena,
  dir: string,
  rounds: number,
): Promise<ArenaReport> {
  let id = 0;
  const run = async (op: Request['op'], args: unknown): Promise<unknown> => {
    const request = { id: ++id, op, args } as Request;
    return (await dispatch(services, request)).value;
  };
  const passwords: Uint8Array[] = [];
  const password = (text = PASSWORD): Uint8Array => {
    const buf = bytes(text);
    passwords.push(buf);
    return buf;
  };
  const transit = (operation: string, data: JsonObject): Promise<unknown> =>
    run('engine.request', { mount: 'transit', operation, data, caller: ADMIN });

  // Step 1: a vault, a transit mount with a key of every type, notes with
  // its MAC key, and a system entry.
  await run('init', { password: password() });
  await run('mount.create', { name: 'transit', type: 'transit', config: {} });
  await run('mount.create', { name: 'notes', type: 'notes', config: {} });
  await run('engine.request', {
    mount: 'notes',
    operation: 'make-key',
    data: {},
    caller: ADMIN,
  });
  for (const type of TRANSIT_KEY_TYPES) {
    await transit('create-key', { name: type, type, exportable: true });
    await transit('rotate-key', { name: type });
  }
  await run('barrier.put', { path: 'sys/arena-check', value: bytes('x') });

  // Step 2: rounds of use, each after an unseal, so every key is unwrapped
  // again; a data key rotation, an MEK rotation and a rekey on the way.
  for (let round = 0; round < rounds; round++) {
    for (const type of TRANSIT_KEY_TYPES) await useKey(transit, type);
    await run('engine.request', {
      mount: 'notes',
      operation: 'mac',
      data: { text: 'arena' },
      caller: ADMIN,
    });
    await run('barrier.get', { path: 'sys/arena-check' });
    await run('keys.rotate', { keyId: 'system' });
    await run('mek.rotate', { password: password() });
    await run('rekey', {
      oldPassword: password(),
      newPassword: password(PASSWORD),
    });
    if (round + 1 < rounds) {
      await run('seal', {});
      await run('unseal', { password: password() });
    }
  }

  // Step 3: which real keys the arena holds, compared in memory only.
  const real = await readRealKeys(join(dir, 'vault.db'));
  const live = arena.seen.filter((buf) => !isAllZero(buf));
  const held = (key: Uint8Array): boolean =>
    live.some((buf) => Buffer.from(buf).equals(key));
  const transitEntries = [...real.entries].filter(([path]) =>
    /^engine\/transit\/keys\/[^/]+\/v\/\d+$/.test(path),
  );
  const heldBeforeSeal = arena.size;
  const mekHeld = held(real.mek);
  const deksHeld = [...real.deks.values()].filter(held).length;
  const transitHeld = transitEntries.filter(([, key]) => held(key)).length;
  for (const key of [real.kwk, real.mek, ...real.deks.values()]) key.fill(0);
  for (const [, value] of real.entries) value.fill(0);

  // Step 4: the seal, and every buffer after it.
  await run('seal', {});
  return {
    rounds,
    keyTypes: TRANSIT_KEY_TYPES,
    buffersChecked: arena.seen.length,
    nonZero: arena.seen.filter((buf) => !isAllZero(buf)).length,
    heldBeforeSeal,
    heldAfterSeal: arena.size,
    mekHeld,
    deks: real.deks.size,
    deksHeld,
    transitVersions: transitEntries.length,
    transitVersionsHeld: transitHeld,
    passwords: passwords.length,
    passwordsNonZero: passwords.filter((buf) => !isAllZero(buf)).length,
  };
}

// Uses both versions of a key the way its purpose allows, and exports it,
// so every version's material is unwrapped and held.
async function useKey(
  transit: (operation: string, data: JsonObject) => Promise<unknown>,
  name: string,
): Promise<void> {
  const input = Buffer.from(`arena check of ${name}`).toString('base64');
  const purpose = KEY_PURPOSE[name as keyof typeof KEY_PURPOSE];
  for (const key_version of [1, 2]) {
    if (purpose === 'encryption') {
      const { ciphertext } = (await transit('encrypt', {
        name,
        plaintext: input,
        key_version,
      })) as { ciphertext: string };
      await transit('decrypt', { name, ciphertext });
      await transit('rewrap', { name, ciphertext });
      await transit('datakey', { name, type: 'plaintext', key_version });
    } else if (purpose === 'signing') {
      const { signature } = (await transit('sign', {
        name,
        input,
        key_version,
      })) as { signature: string };
      await transit('verify', { name, input, signature });
    } else {
      const { hmac } = (await transit('hmac', {
        name,
        input,
        key_version,
      })) as { hmac: string };
      await transit('verify-hmac', { name, input, hmac });
    }
  }
  await transit('export-key', { name, type: `${purpose}-key` });
}
