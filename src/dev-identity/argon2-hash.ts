// Argon2id password hashes as the dev identity server stores them: the
// PHC encoded form, its cost parameters, and making one from a password.
import { randomBytes } from 'node:crypto';

import * as argon2 from 'argon2';

// The PHC encoded form: $argon2id$v=19$<parameters>$<salt>$<hash>, salt
// and hash in unpadded base64. The argon2 package writes the parameters
// as m=,p=,t= while the reference tool writes m=,t=,p=; either is read.
const PARAMETERS = String.raw`[a-z]=\d{1,10}(?:,[a-z]=\d{1,10}){2}`;
const BASE64 = '[A-Za-z0-9+/]+';
const ENCODED = new RegExp(
  String.raw`^\$argon2id\$v=19\$(${PARAMETERS})\$${BASE64}\$${BASE64}$`,
);

// The decoy hash for unknown users is made with these parameters, so a
// mistyped hash must not ask for more than a host can give (the bounds of
// src/crypto/kdf.ts).
const MAX_MEMORY_KIB = 4 * 1024 * 1024;
const MAX_PASSES = 64;
const MAX_LANES = 64;

/** Argon2Cost is the cost part of an encoded hash. */
export interface Argon2Cost {
  readonly memoryCost: number;
  readonly timeCost: number;
  readonly parallelism: number;
}

/**
 * argon2idCost returns the cost parameters of an encoded argon2id hash, or
 * undefined when text is not one (another variant, version or shape, or
 * a cost past the bounds above).
 */
export function argon2idCost(text: string): Argon2Cost | undefined {
  const parameters = ENCODED.exec(text)?.[1];
  if (parameters === undefined) return undefined;
  const cost = new Map(
    parameters.split(',').map((pair) => [pair[0], Number(pair.slice(2))]),
  );
  const memoryCost = cost.get('m');
  const timeCost = cost.get('t');
  const parallelism = cost.get('p');
  if (memoryCost === undefined || memoryCost > MAX_MEMORY_KIB) return undefined;
  if (timeCost === undefined || timeCost > MAX_PASSES) return undefined;
  if (parallelism === undefined || parallelism > MAX_LANES) return undefined;
  return { memoryCost, timeCost, parallelism };
}

/**
 * hashPassword returns the encoded argon2id hash of password, with the
 * argon2 package's defaults (64 MiB, 3 passes, 4 lanes) unless cost says
 * otherwise.
 */
export function hashPassword(
  password: string,
  cost?: Argon2Cost,
): Promise<string> {
  return argon2.hash(password, { type: argon2.argon2id, ...cost });
}

/**
 * decoyHash returns a hash of random bytes with the given cost. Checking a
 * password against it takes as long as checking a real one and always
 * fails, which is what a login for an unknown user needs.
 */
export function decoyHash(cost?: Argon2Cost): Promise<string> {
  return argon2.hash(randomBytes(32), { type: argon2.argon2id, ...cost });
}

/**
 * verifyPassword tells whether password matches an encoded hash. A hash
 * argon2 cannot read counts as a mismatch, never as an error that could
 * tell a caller more than "no".
 */
export async function verifyPassword(
  hash: string,
  password: string,
): Promise<boolean> {
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}
