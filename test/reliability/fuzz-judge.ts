// Whether the server's answer to a fuzz case was right: a 4xx, never a
// 5xx or a hang, with an `{error, code}` body whose code is in the
// catalogue at that status and is one the case allows.
import { ERROR_CATALOGUE, isErrorCode } from '../../src/errors/index.js';
import type { Outcome } from './fuzz-client.js';
import type { FuzzCase } from './fuzz-case.js';

/**
 * PARSER_STATUSES are what Node's HTTP parser answers, with no body,
 * when the bytes are not HTTP/1.1 at all: before any Metacrypt code
 * runs, so no JSON is possible.
 */
export const PARSER_STATUSES: readonly number[] = [400, 417, 431];

/** outcomeKey names an outcome for the tables: a status or what happened. */
export function outcomeKey(outcome: Outcome): string {
  return outcome.kind === 'reply' ? String(outcome.status) : outcome.kind;
}

/** codeOf is the `code` of a JSON error reply, or undefined. */
export function codeOf(outcome: Outcome): string | undefined {
  if (outcome.kind !== 'reply') return undefined;
  try {
    const { code } = JSON.parse(outcome.text) as { code?: unknown };
    return typeof code === 'string' ? code : undefined;
  } catch {
    return undefined;
  }
}

/** judge returns what is wrong with the outcome of a case, if anything. */
export function judge(
  fuzzCase: FuzzCase,
  outcome: Outcome,
): string | undefined {
  if (outcome.kind === 'timeout') return 'no answer before the deadline';
  if (outcome.kind === 'error') return `the request failed: ${outcome.code}`;
  if (outcome.kind === 'closed') {
    // Node's parser may drop a connection whose bytes are not HTTP.
    return fuzzCase.kind === 'raw' ? undefined : 'closed without an answer';
  }

  const { status } = outcome;
  if (status < 400 || status > 499) return `answered ${String(status)}`;
  const json = String(outcome.headers['content-type']).startsWith(
    'application/json',
  );
  if (!json) {
    return fuzzCase.kind === 'raw' && PARSER_STATUSES.includes(status)
      ? undefined
      : `answered ${String(status)} without a JSON body`;
  }

  let body: unknown;
  try {
    body = JSON.parse(outcome.text);
  } catch {
    return `answered ${String(status)} with a body that is not JSON`;
  }
  if (typeof body !== 'object' || body === null)
    return 'the body is not an object';
  const keys = Object.keys(body).sort().join(',');
  if (keys !== 'code,error') return `the body has fields ${keys}`;
  const { error, code } = body as Record<string, unknown>;
  if (typeof error !== 'string' || typeof code !== 'string') {
    return 'error and code are not strings';
  }
  if (!isErrorCode(code)) return `code ${code} is not in the catalogue`;
  if (ERROR_CATALOGUE[code].status !== status) {
    return `code ${code} came with status ${String(status)}`;
  }
  if (!fuzzCase.codes.includes(code)) {
    return (
      `answered ${String(status)} ${code} (${JSON.stringify(error)}), ` +
      `expected ${fuzzCase.codes.join(' or ')}`
    );
  }
  return undefined;
}
