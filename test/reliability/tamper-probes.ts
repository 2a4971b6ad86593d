// What a tampering case is: an edit of the vault file, the requests it
// must make refused, and those that must still be served; and helpers
// that build those requests.
import type { Database } from 'better-sqlite3';

import { PLAINTEXT } from './tamper-vault.js';
import type { Ciphertexts, Sender } from './tamper-vault.js';

/** Probe is one request of a case and the reply it must get. */
export interface Probe {
  readonly what: string;
  readonly as: Sender;
  readonly method: 'GET' | 'POST' | 'PUT';
  readonly path: string;
  readonly body?: unknown;
  readonly status: number;
  /** For a refusal: the code and the exact message. */
  readonly code?: string;
  readonly message?: string;
  /** For a success: what the body must hold. */
  readonly holds?: Readonly<Record<string, unknown>>;
}

/** TamperCase is one edit and what the server must do about it. */
export interface TamperCase {
  readonly id: string;
  /** The edit, as the report names it. */
  readonly edit: string;
  /** barrier cases unseal first; seal cases are refused the unseal. */
  readonly target: 'barrier' | 'seal';
  tamper(db: Database): void;
  /** The requests refused because of the edit, then those still served. */
  probes(c: Ciphertexts): { refused: Probe[]; served: Probe[] };
  /** Seal cases: whether the refused unseal counts towards the lockout. */
  readonly counted?: boolean;
}

/** integrity is the barrier's refusal message for what. */
export const integrity = (what: string): string =>
  `barrier: integrity check failed for ${what}`;

/** transit is a request to a transit operation on a key. */
export const transit = (
  mount: string,
  operation: string,
  key: string,
  body: unknown = {},
): Pick<Probe, 'method' | 'path' | 'body'> => ({
  method: 'POST',
  path: `/v1/transit/${mount}/${operation}/${key}`,
  body,
});

/** refusedBy is a probe refused with `barrier_integrity` and failed. */
export function refusedBy(
  what: string,
  as: Probe['as'],
  request: Pick<Probe, 'method' | 'path' | 'body'>,
  failed: string,
): Probe {
  return {
    what,
    as,
    ...request,
    status: 500,
    code: 'barrier_integrity',
    message: failed,
  };
}

/** decrypts is a probe by the admin that decrypts c to PLAINTEXT. */
export function decrypts(
  what: string,
  mount: string,
  key: string,
  c: string,
): Probe {
  return {
    what,
    as: 'admin',
    ...transit(mount, 'decrypt', key, { ciphertext: c }),
    status: 200,
    holds: { plaintext: PLAINTEXT },
  };
}

/** served is a probe that must succeed with status and holds. */
export function served(
  what: string,
  as: Probe['as'],
  request: Pick<Probe, 'method' | 'path' | 'body'>,
  status = 200,
  holds?: Probe['holds'],
): Probe {
  return { what, as, ...request, status, ...(holds ? { holds } : {}) };
}

/** get is a GET of path. */
export const get = (path: string): Pick<Probe, 'method' | 'path'> => ({
  method: 'GET',
  path,
});
