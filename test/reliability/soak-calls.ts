// The calls of the soak's mixed load, each checked for the right answer:
// encrypt, decrypt of an earlier ciphertext, login, status, policy reads.
import { randomBytes } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';

import { devUser } from '../fixtures/identity-process.js';
import { codeOf, failureOf } from './load-client.js';
import type { LoadClient, LoadReply } from './load-client.js';
import { transitPath } from './soak-server.js';

/** SoakKind is one kind of call in the mix. */
export type SoakKind = 'encrypt' | 'decrypt' | 'login' | 'status' | 'policy';

/** SOAK_KINDS are the kinds, in report order. */
export const SOAK_KINDS: readonly SoakKind[] = [
  'encrypt',
  'decrypt',
  'login',
  'status',
  'policy',
];

/**
 * SOAK_WEIGHTS are each kind's share of the mix, in calls out of 20. An
 * application's traffic is mostly transit; logins are rare, one in 20
 * (ten a second at 200 a second, far past the default login limit).
 */
export const SOAK_WEIGHTS: Readonly<Record<SoakKind, number>> = {
  encrypt: 7,
  decrypt: 7,
  login: 1,
  status: 3,
  policy: 2,
};

/**
 * soakCycle spreads the weights over one cycle of calls, smoothly (the
 * weighted round robin nginx uses): each kind comes back at even gaps
 * rather than in runs, so every second of the load has the same mix.
 */
export function soakCycle(
  weights: Readonly<Record<SoakKind, number>> = SOAK_WEIGHTS,
): SoakKind[] {
  const total = SOAK_KINDS.reduce((sum, kind) => sum + weights[kind], 0);
  const credit = new Map(SOAK_KINDS.map((kind) => [kind, 0]));
  const cycle: SoakKind[] = [];
  for (let i = 0; i < total; i++) {
    let best: SoakKind = 'encrypt';
    for (const kind of SOAK_KINDS) {
      credit.set(kind, (credit.get(kind) ?? 0) + weights[kind]);
      if ((credit.get(kind) ?? 0) > (credit.get(best) ?? 0)) best = kind;
    }
    credit.set(best, (credit.get(best) ?? 0) - total);
    cycle.push(best);
  }
  return cycle;
}

// Decrypts pick from the most recent ciphertexts; a ring keeps the load
// generator's own memory flat however long it runs.
const RING_SIZE = 256;

interface Pair {
  readonly plaintext: string;
  readonly ciphertext: string;
}

/**
 * SoakCalls makes one call of a kind and says what was wrong with its
 * answer, if anything. A problem is described by kind, status and error
 * code only: never a token, a password or a plaintext.
 */
export class SoakCalls {
  readonly #client: LoadClient;
  readonly #admin: string;
  readonly #alice: string;
  readonly #ring: Pair[] = [];
  #next = 0;
  #rules: unknown = undefined;

  constructor(client: LoadClient, tokens: { admin: string; alice: string }) {
    this.#client = client;
    this.#admin = tokens.admin;
    this.#alice = tokens.alice;
  }

  /**
   * prepare reads the policy rules every later read must equal, and makes
   * the first ciphertexts, so decrypts have something from the start.
   */
  async prepare(): Promise<void> {
    const rules = await this.#client.call('GET', '/v1/policy/rules', {
      token: this.#admin,
    });
    if (rules.status !== 200) throw new Error('soak: cannot read rules');
    this.#rules = rules.body;
    for (let i = 0; i < 16; i++) {
      const problem = await this.#encrypt();
      if (problem !== undefined) throw new Error(`soak: ${problem}`);
    }
  }

  /**
   * call makes one call of kind; it resolves with undefined when the
   * answer was right and with a description of the problem otherwise.
   */
  async call(kind: SoakKind): Promise<string | undefined> {
    try {
      switch (kind) {
        case 'encrypt':
          return await this.#encrypt();
        case 'decrypt':
          return await this.#decrypt();
        case 'login':
          return await this.#login();
        case 'status':
          return await this.#status();
        case 'policy':
          return await this.#policy();
      }
    } catch (err) {
      return `${kind}: ${failureOf(err)}`;
    }
  }

  async #encrypt(): Promise<string | undefined> {
    const plaintext = randomBytes(32).toString('base64');
    const reply = await this.#client.call('POST', transitPath('encrypt'), {
      token: this.#alice,
      json: { plaintext },
    });
    const ciphertext = field(reply, 'ciphertext');
    if (reply.status !== 200 || !ciphertext?.startsWith('metacrypt:v1:')) {
      return problem('encrypt', reply);
    }
    this.#ring[this.#next] = { plaintext, ciphertext };
    this.#next = (this.#next + 1) % RING_SIZE;
    return undefined;
  }

  async #decrypt(): Promise<string | undefined> {
    const pair = this.#ring[Math.floor(Math.random() * this.#ring.length)];
    if (pair === undefined) return 'decrypt: nothing to decrypt yet';
    const reply = await this.#client.call('POST', transitPath('decrypt'), {
      token: this.#alice,
      json: { ciphertext: pair.ciphertext },
    });
    if (reply.status !== 200) return problem('decrypt', reply);
    if (field(reply, 'plaintext') !== pair.plaintext) {
      return 'decrypt: 200 with the wrong plaintext';
    }
    return undefined;
  }

  async #login(): Promise<string | undefined> {
    const reply = await this.#client.call('POST', '/v1/auth/login', {
      json: { username: 'alice', password: devUser('alice').password },
    });
    const token = field(reply, 'token');
    if (reply.status !== 200 || token === undefined || token === '') {
      return problem('login', reply);
    }
    return undefined;
  }

  async #status(): Promise<string | undefined> {
    const reply = await this.#client.call('GET', '/v1/status');
    if (reply.status !== 200) return problem('status', reply);
    if (field(reply, 'state') !== 'unsealed') {
      return `status: state ${String(field(reply, 'state'))}`;
    }
    return undefined;
  }

  async #policy(): Promise<string | undefined> {
    const reply = await this.#client.call('GET', '/v1/policy/rules', {
      token: this.#admin,
    });
    if (reply.status !== 200) return problem('policy', reply);
    if (!isDeepStrictEqual(reply.body, this.#rules)) {
      return 'policy: 200 with different rules';
    }
    return undefined;
  }
}

function field(reply: LoadReply, name: string): string | undefined {
  if (typeof reply.body !== 'object' || reply.body === null) return undefined;
  const value = (reply.body as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
}

function problem(kind: SoakKind, reply: LoadReply): string {
  const code = codeOf(reply.body);
  const status = String(reply.status);
  return code === undefined
    ? `${kind}: ${status}`
    : `${kind}: ${status} ${code}`;
}
