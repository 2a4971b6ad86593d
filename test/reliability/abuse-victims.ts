// What an abuse test tries to damage: a transit mount with a key of every
// type (each one exportable, deletable and trimmable, so every admin
// operation on it would do something), a notes mount with a note and a
// MAC key, and a policy rule that lets alice use every engine operation a
// rule can grant.
import assert from 'node:assert/strict';

import { TRANSIT_KEY_TYPES } from '../../src/engines/transit/key-type-names.js';
import type { TransitKeyType } from '../../src/engines/transit/key-type-names.js';
import type { Harness } from '../server/harness.js';

/** VictimKey is one transit key the probes aim at. */
export interface VictimKey {
  readonly name: string;
  readonly type: TransitKeyType;
}

/** Victims name what setUpVictims made. */
export interface Victims {
  readonly transitMount: string;
  readonly notesMount: string;
  readonly keys: readonly VictimKey[];
  /** The rule that lets alice use every engine operation. */
  readonly ruleId: string;
}

/** ALICE_RULE allows alice every action on every mount's operations. */
export const ALICE_RULE = {
  id: 'alice-uses-engines',
  priority: 10,
  effect: 'allow',
  usernames: ['alice'],
  resources: ['engine/*/*'],
  actions: ['any'],
} as const;

/** setUpVictims builds the targets as admin, checking every step. */
export async function setUpVictims(
  h: Harness,
  admin: string,
): Promise<Victims> {
  const ok = async (
    method: string,
    path: string,
    json: unknown,
  ): Promise<unknown> => {
    const reply = await h.call(method, path, { token: admin, json });
    assert.ok(reply.status < 300, `${method} ${path}: ${reply.text}`);
    return reply.body;
  };
  const transit = async (operation: string, data: unknown): Promise<void> => {
    await ok('POST', '/v1/engine/request', {
      mount: 'transit',
      operation,
      data,
    });
  };

  // Step 1: the mounts.
  await ok('POST', '/v1/engine/mount', { name: 'transit', type: 'transit' });
  await ok('POST', '/v1/engine/mount', { name: 'notes', type: 'notes' });

  // Step 2: a key of every type at version 2, version 1 no longer
  // decrypting, so trim-key would delete it.
  const keys = TRANSIT_KEY_TYPES.map((type) => ({ name: `v-${type}`, type }));
  for (const { name, type } of keys) {
    await transit('create-key', {
      name,
      type,
      exportable: true,
      deletion_allowed: true,
    });
    await transit('rotate-key', { name });
    await transit('update-key-config', { name, min_decryption_version: 2 });
  }

  // Step 3: a note, the MAC key, and alice's rule.
  const notes = async (operation: string, data: unknown): Promise<void> => {
    await ok('POST', '/v1/engine/request', { mount: 'notes', operation, data });
  };
  await notes('put', { name: 'victim', text: 'still here' });
  await notes('make-key', {});
  await ok('POST', '/v1/policy/rules', ALICE_RULE);
  return {
    transitMount: 'transit',
    notesMount: 'notes',
    keys,
    ruleId: ALICE_RULE.id,
  };
}
