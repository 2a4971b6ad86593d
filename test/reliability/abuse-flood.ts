// Login flooding from one address: wrong passwords, many at once, each
// claiming another address in X-Forwarded-For. The server must let the
// configured number through to MCIAS and refuse the rest with 429 and
// Retry-After, while it keeps serving everything else, and other
// addresses keep logging in.
import { setTimeout as sleep } from 'node:timers/promises';

import { devUser } from '../fixtures/identity-process.js';
import type { Harness } from '../server/harness.js';
import { countBy, send } from './abuse-http.js';
import type { Answer } from './abuse-http.js';

/** The loopback address the flood comes from, and two others. */
export const FLOOD_FROM = '127.0.0.1';
export const OTHER_ADDRESS = '127.0.0.2';
const ADMIN_ADDRESS = '127.0.0.3';

/** FloodOptions size one flood. */
export interface FloodOptions {
  /** Login requests to send in all. */
  readonly requests: number;
  /** How many are in flight at once. */
  readonly concurrency: number;
  /** The server's auth_rate_limit: how many should reach MCIAS. */
  readonly limit: number;
}

/** FloodReport is what a flood met. */
export interface FloodReport {
  readonly sent: number;
  /** Answers to the flood, by `status code`: `401 invalid_credentials`. */
  readonly answers: Readonly<Record<string, number>>;
  /** Every 429 carried Retry-After of 1 to 60 s and RateLimit headers. */
  readonly retryAfterOk: boolean;
  readonly retryAfterMax: number;
  /** Logins MCIAS saw refused for the flooded user during the flood. */
  readonly mciasAttempts: number;
  /** The right password from the flooding address, once limited. */
  readonly rightWhileLimited: Answer;
  /** Other routes from the flooding address, by `METHOD path`. */
  readonly others: Readonly<Record<string, number>>;
  /** The right password from another address. */
  readonly otherAddress: Answer;
  readonly seconds: number;
}

/**
 * floodLogin floods the unsealed vault of h as described above. The
 * admin token it needs is taken from a third address first, so the
 * flooding address has its whole budget.
 */
export async function floodLogin(
  h: Harness,
  options: FloodOptions,
): Promise<FloodReport> {
  // Step 1: a token for the checks, from an address of its own.
  const admin = await loginFrom(h, ADMIN_ADDRESS, 'admin');
  const refusedBefore = mciasRefusals(h);

  // Step 2: the flood, a bounded number of requests, so many at a time.
  const started = Date.now();
  const answers: Answer[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < options.requests) {
      const i = next++;
      const password = `flood guess ${String(i)}`;
      h.secret(password, 'password');
      answers.push(
        await send(h.url, {
          method: 'POST',
          path: '/v1/auth/login',
          json: { username: 'alice', password },
          headers: { 'x-forwarded-for': `10.9.${String(i % 250)}.1` },
          from: FLOOD_FROM,
        }),
      );
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  const seconds = (Date.now() - started) / 1000;

  // Step 3: limited, the right password is refused too; the rest of the
  // API still answers the same address.
  const rightWhileLimited = await send(h.url, {
    method: 'POST',
    path: '/v1/auth/login',
    json: { username: 'alice', password: devUser('alice').password },
    from: FLOOD_FROM,
  });
  const others: Record<string, number> = {};
  for (const [method, path, token] of [
    ['GET', '/v1/status', undefined],
    ['GET', '/v1/health', undefined],
    ['GET', '/v1/auth/tokeninfo', admin],
    ['GET', '/v1/engine/mounts', admin],
    ['GET', '/v1/policy/rules', admin],
  ] as const) {
    const answer = await send(h.url, {
      method,
      path,
      headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
      from: FLOOD_FROM,
    });
    others[`${method} ${path}`] = answer.status;
  }

  // Step 4: another address logs in as usual.
  const otherAddress = await send(h.url, {
    method: 'POST',
    path: '/v1/auth/login',
    json: { username: 'alice', password: devUser('alice').password },
    from: OTHER_ADDRESS,
  });
  rememberToken(h, otherAddress);

  // Step 5: what reached MCIAS, once its log lines have arrived.
  const mciasAttempts = await settledCount(
    () => mciasRefusals(h) - refusedBefore,
    options.limit,
  );

  const limited = answers.filter((a) => a.status === 429);
  return {
    sent: answers.length,
    answers: countBy(answers, (a) => `${String(a.status)} ${a.code}`),
    retryAfterOk: limited.every(hasLimitHeaders),
    retryAfterMax: Math.max(0, ...limited.map((a) => a.retryAfter ?? 0)),
    mciasAttempts,
    rightWhileLimited,
    others,
    otherAddress,
    seconds,
  };
}

function hasLimitHeaders(answer: Answer): boolean {
  const retry = answer.retryAfter;
  return (
    retry !== undefined &&
    Number.isInteger(retry) &&
    retry >= 1 &&
    retry <= 60 &&
    typeof answer.headers.ratelimit === 'string' &&
    typeof answer.headers['ratelimit-policy'] === 'string'
  );
}

async function loginFrom(
  h: Harness,
  from: string,
  username: string,
): Promise<string> {
  const answer = await send(h.url, {
    method: 'POST',
    path: '/v1/auth/login',
    json: { username, password: devUser(username).password },
    from,
  });
  const token = rememberToken(h, answer);
  if (token === undefined) {
    throw new Error(`login of ${username} failed: ${String(answer.status)}`);
  }
  return token;
}

function rememberToken(h: Harness, answer: Answer): string | undefined {
  const token = (answer.body as { token?: unknown } | undefined)?.token;
  if (typeof token !== 'string') return undefined;
  h.secret(token);
  return token;
}

// The identity process's lines come through a pipe, a little after its
// replies: wait (boundedly) for the count expected, then a moment more
// in case there are more than expected.
async function settledCount(
  count: () => number,
  expected: number,
): Promise<number> {
  for (let i = 0; i < 100 && count() < expected; i++) await sleep(50);
  await sleep(100);
  return count();
}

// The dev identity server logs each login it refuses: the flood's that
// got past the limit.
function mciasRefusals(h: Harness): number {
  return h.identity
    .output()
    .split('\n')
    .filter((line) => line.includes('login refused')).length;
}
