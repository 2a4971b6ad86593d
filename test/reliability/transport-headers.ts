// The security headers every reply must carry, API and web UI, errors
// included: what is missing or wrong in one reply's headers, in words.
import type { IncomingHttpHeaders } from 'node:http';

// A year, which docs/API.md promises for Strict-Transport-Security.
const HSTS_MIN_SECONDS = 365 * 24 * 60 * 60;

/**
 * headerProblems lists what is wrong with a reply's security headers:
 * HSTS for at least a year, nosniff, a Content-Security-Policy that
 * limits framing, X-Frame-Options, no X-Powered-By and no Server. API
 * replies also carry `Cache-Control: no-store`.
 */
export function headerProblems(
  headers: IncomingHttpHeaders,
  api: boolean,
): string[] {
  const problems: string[] = [];
  const hsts = /max-age=(\d+)/.exec(
    String(headers['strict-transport-security']),
  )?.[1];
  if (hsts === undefined || Number(hsts) < HSTS_MIN_SECONDS) {
    problems.push(
      `Strict-Transport-Security ${String(headers['strict-transport-security'])}`,
    );
  }
  if (headers['x-content-type-options'] !== 'nosniff') {
    problems.push('no X-Content-Type-Options: nosniff');
  }
  const csp = String(headers['content-security-policy']);
  if (
    !csp.includes('default-src') ||
    !/frame-ancestors '(none|self)'/.test(csp)
  ) {
    problems.push(`Content-Security-Policy ${csp}`);
  }
  if (!/^(DENY|SAMEORIGIN)$/.test(String(headers['x-frame-options']))) {
    problems.push(`X-Frame-Options ${String(headers['x-frame-options'])}`);
  }
  if (headers['x-powered-by'] !== undefined) {
    problems.push('X-Powered-By is sent');
  }
  if (headers.server !== undefined) problems.push('a Server header is sent');
  if (api && headers['cache-control'] !== 'no-store') {
    problems.push(`Cache-Control ${String(headers['cache-control'])}`);
  }
  return problems;
}
