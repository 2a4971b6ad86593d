// The tampering cases on barrier rows and data keys: a byte flipped in
// each kind of row, rows copied or moved to other paths and mounts, DEK
// rows swapped or damaged. Each is unsealed after the edit.
import {
  decrypts,
  get,
  integrity,
  refusedBy,
  served,
  transit,
} from './tamper-probes.js';
import type { TamperCase } from './tamper-probes.js';
import {
  copyEntry,
  flipDek,
  flipEntry,
  moveEntry,
  swapDeks,
} from './tamper-edits.js';
import { PLAINTEXT } from './tamper-vault.js';

// The rule r1 as written when the vault was made, for putting it back.
const RULE_R1 = {
  priority: 10,
  effect: 'allow',
  usernames: ['alice'],
  resources: ['engine/ta/*'],
  actions: ['encrypt'],
};

// A barrier case: the server is unsealed after the edit.
function barrierCase(c: Omit<TamperCase, 'target' | 'counted'>): TamperCase {
  return { ...c, target: 'barrier' };
}

/** BARRIER_CASES edit a barrier row or a data key. */
export const BARRIER_CASES: readonly TamperCase[] = [
  barrierCase({
    id: 'rule-byte',
    edit: 'a byte flipped in a policy rule (sys/policy/rules/r1)',
    tamper: (db) => {
      flipEntry(db, 'sys/policy/rules/r1', 'middle');
    },
    probes: (c) => {
      const failed = integrity('sys/policy/rules/r1');
      return {
        refused: [
          refusedBy(
            'read the rule',
            'admin',
            get('/v1/policy/rule/r1'),
            failed,
          ),
          refusedBy('list the rules', 'admin', get('/v1/policy/rules'), failed),
          // Fail closed: the damaged rule might have been a deny.
          refusedBy(
            "a user's request, which the rules decide",
            'alice',
            transit('ta', 'encrypt', 'k1', { plaintext: PLAINTEXT }),
            failed,
          ),
        ],
        served: [
          served('read another rule', 'admin', get('/v1/policy/rule/r2')),
          decrypts('an admin decrypts', 'ta', 'k1', c.taK1v2),
          served('replace the damaged rule', 'admin', {
            method: 'PUT',
            path: '/v1/policy/rule/r1',
            body: RULE_R1,
          }),
          served(
            'then the user is served again',
            'alice',
            transit('ta', 'encrypt', 'k1', { plaintext: PLAINTEXT }),
          ),
          served('and the rules list', 'admin', get('/v1/policy/rules')),
        ],
      };
    },
  }),
  barrierCase({
    id: 'key-meta-byte',
    edit: 'a byte flipped in a transit key meta (engine/ta/keys/k2/meta)',
    tamper: (db) => {
      flipEntry(db, 'engine/ta/keys/k2/meta', 'last');
    },
    probes: (c) => {
      const failed = integrity('engine/ta/keys/k2/meta');
      return {
        refused: [
          refusedBy(
            'read the key',
            'admin',
            transit('ta', 'get-key', 'k2'),
            failed,
          ),
          refusedBy(
            'decrypt with it',
            'admin',
            transit('ta', 'decrypt', 'k2', { ciphertext: c.taK2 }),
            failed,
          ),
        ],
        served: [
          decrypts('another key of the mount', 'ta', 'k1', c.taK1v2),
          served(
            'list the keys',
            'admin',
            {
              method: 'POST',
              path: '/v1/transit/ta/list-keys',
              body: {},
            },
            200,
            { keys: ['k1', 'k2'] },
          ),
          decrypts('another mount', 'tb', 'k1', c.tbK1),
        ],
      };
    },
  }),
  barrierCase({
    id: 'key-version-byte',
    edit: 'a byte flipped in a transit key version (engine/ta/keys/k1/v/1)',
    tamper: (db) => {
      flipEntry(db, 'engine/ta/keys/k1/v/1', 'first');
    },
    probes: (c) => ({
      refused: [
        refusedBy(
          'decrypt a value of version 1',
          'admin',
          transit('ta', 'decrypt', 'k1', { ciphertext: c.taK1v1 }),
          integrity('engine/ta/keys/k1/v/1'),
        ),
      ],
      served: [
        decrypts('a value of version 2 of the same key', 'ta', 'k1', c.taK1v2),
        served(
          'encrypt with the latest version',
          'admin',
          transit('ta', 'encrypt', 'k1', { plaintext: PLAINTEXT }),
          200,
          { key_version: 2 },
        ),
        served('read the key', 'admin', transit('ta', 'get-key', 'k1')),
      ],
    }),
  }),
  barrierCase({
    id: 'mount-byte',
    edit: 'a byte flipped in a mount record (sys/mounts/tb)',
    tamper: (db) => {
      flipEntry(db, 'sys/mounts/tb', 'middle');
    },
    probes: (c) => {
      const failed = integrity('sys/mounts/tb');
      return {
        refused: [
          refusedBy(
            'use the mount',
            'admin',
            transit('tb', 'decrypt', 'k1', { ciphertext: c.tbK1 }),
            failed,
          ),
          // Mounting the name again would destroy its data key.
          refusedBy(
            'mount the name again',
            'admin',
            {
              method: 'POST',
              path: '/v1/engine/mount',
              body: { name: 'tb', type: 'transit' },
            },
            failed,
          ),
          // A list without it would be a wrong answer.
          refusedBy(
            'list the mounts',
            'admin',
            get('/v1/engine/mounts'),
            failed,
          ),
        ],
        served: [
          decrypts('another mount', 'ta', 'k1', c.taK1v2),
          decrypts('a third mount', 'tc', 'k1', c.tcK1),
          served('unmount the damaged mount', 'admin', {
            method: 'POST',
            path: '/v1/engine/unmount',
            body: { name: 'tb' },
          }),
          served('then list the mounts', 'admin', get('/v1/engine/mounts')),
          served(
            'then mount the name afresh',
            'admin',
            {
              method: 'POST',
              path: '/v1/engine/mount',
              body: { name: 'tb', type: 'transit' },
            },
            201,
          ),
        ],
      };
    },
  }),
  barrierCase({
    id: 'rule-copied',
    edit: 'a rule copied over another (r1 onto sys/policy/rules/r2)',
    tamper: (db) => {
      copyEntry(db, 'sys/policy/rules/r1', 'sys/policy/rules/r2');
    },
    probes: () => ({
      refused: [
        refusedBy(
          'read the overwritten rule',
          'admin',
          get('/v1/policy/rule/r2'),
          integrity('sys/policy/rules/r2'),
        ),
      ],
      served: [served('read the original', 'admin', get('/v1/policy/rule/r1'))],
    }),
  }),
  barrierCase({
    id: 'meta-copied',
    edit: 'a key meta copied over another of the same mount (k1 onto k2)',
    tamper: (db) => {
      copyEntry(db, 'engine/ta/keys/k1/meta', 'engine/ta/keys/k2/meta');
    },
    probes: (c) => ({
      refused: [
        refusedBy(
          'read the overwritten key',
          'admin',
          transit('ta', 'get-key', 'k2'),
          integrity('engine/ta/keys/k2/meta'),
        ),
      ],
      served: [decrypts('the original', 'ta', 'k1', c.taK1v2)],
    }),
  }),
  barrierCase({
    id: 'row-across-mounts',
    edit: 'a row copied to another mount (ta/k2 meta onto engine/tb/keys/k1/meta)',
    tamper: (db) => {
      copyEntry(db, 'engine/ta/keys/k2/meta', 'engine/tb/keys/k1/meta');
    },
    probes: (c) => ({
      refused: [
        refusedBy(
          'read the overwritten key',
          'admin',
          transit('tb', 'get-key', 'k1'),
          integrity('engine/tb/keys/k1/meta'),
        ),
      ],
      served: [
        decrypts('the original', 'ta', 'k2', c.taK2),
        decrypts('a third mount', 'tc', 'k1', c.tcK1),
      ],
    }),
  }),
  barrierCase({
    id: 'row-moved',
    edit: 'a row moved to another path (engine/ta/keys/k2/meta renamed k3)',
    tamper: (db) => {
      moveEntry(db, 'engine/ta/keys/k2/meta', 'engine/ta/keys/k3/meta');
    },
    probes: (c) => ({
      refused: [
        refusedBy(
          'read the key at its new path',
          'admin',
          transit('ta', 'get-key', 'k3'),
          integrity('engine/ta/keys/k3/meta'),
        ),
      ],
      served: [
        // The old path is simply empty: a row taken away is not news the
        // barrier can give (docs/RELIABILITY.md, part 4).
        {
          what: 'the old path reads as no key',
          as: 'admin',
          ...transit('ta', 'get-key', 'k2'),
          status: 404,
          code: 'not_found',
          message: 'key k2 not found',
        },
        decrypts('another key of the mount', 'ta', 'k1', c.taK1v2),
      ],
    }),
  }),
  barrierCase({
    id: 'dek-swap',
    edit: 'the DEK rows of two mounts swapped (engine/ta and engine/tb)',
    tamper: (db) => {
      swapDeks(db, 'engine/ta', 'engine/tb');
    },
    probes: (c) => ({
      refused: [
        refusedBy(
          'use the first mount',
          'admin',
          transit('ta', 'decrypt', 'k1', { ciphertext: c.taK1v2 }),
          'barrier: integrity check failed for key engine/ta version 1',
        ),
        refusedBy(
          'use the second mount',
          'admin',
          transit('tb', 'get-key', 'k1'),
          'barrier: integrity check failed for key engine/tb version 1',
        ),
      ],
      served: [
        decrypts('a third mount', 'tc', 'k1', c.tcK1),
        served('list the mounts', 'admin', get('/v1/engine/mounts')),
        served('read a rule', 'admin', get('/v1/policy/rule/r1')),
      ],
    }),
  }),
  barrierCase({
    id: 'dek-byte',
    edit: 'a byte flipped in a DEK row (engine/tc version 1)',
    tamper: (db) => {
      flipDek(db, 'engine/tc', 'middle');
    },
    probes: (c) => ({
      refused: [
        refusedBy(
          'use the mount',
          'admin',
          transit('tc', 'decrypt', 'k1', { ciphertext: c.tcK1 }),
          'barrier: integrity check failed for key engine/tc version 1',
        ),
      ],
      served: [
        decrypts('another mount', 'ta', 'k1', c.taK1v2),
        decrypts('a third mount', 'tb', 'k1', c.tbK1),
      ],
    }),
  }),
  barrierCase({
    id: 'system-dek-byte',
    edit: 'a byte flipped in the system DEK (everything under sys/)',
    tamper: (db) => {
      flipDek(db, 'system', 'last');
    },
    probes: () => {
      const failed = 'barrier: integrity check failed for key system version 1';
      return {
        refused: [
          refusedBy(
            'list the mounts',
            'admin',
            get('/v1/engine/mounts'),
            failed,
          ),
          refusedBy('list the rules', 'admin', get('/v1/policy/rules'), failed),
        ],
        served: [
          served('status', 'anyone', get('/v1/status'), 200, {
            state: 'unsealed',
          }),
          served('seal', 'admin', {
            method: 'POST',
            path: '/v1/seal',
            body: {},
          }),
        ],
      };
    },
  }),
];
