// The long run of part 5: the admin surface probed once as a non-admin,
// a login flood at the production rate limit, seal password guessing at
// the production lockout across a `metacrypt server` crash, and token
// reuse after logout past the production token cache.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { PASSWORD } from '../keyworker/vault-scratch.js';
import { Harness } from '../server/harness.js';
import { floodLogin } from './abuse-flood.js';
import type { FloodReport } from './abuse-flood.js';
import { countBy, send } from './abuse-http.js';
import { lockOut, ProcessTarget } from './abuse-lockout.js';
import type { LockoutReport } from './abuse-lockout.js';
import { reuseAfterLogout } from './abuse-logout.js';
import type { LogoutReport } from './abuse-logout.js';
import { probeAdminSurface } from './abuse-probe.js';
import type { ProbeReport } from './abuse-probe.js';
import type { LongPart, PartReport } from './long-part.js';

// The production defaults the long run meets: auth_rate_limit, the
// unseal lockout policy and mcias.cache_ttl.
const RATE_LIMIT = 30;
const MAX_FAILURES = 5;
const CACHE_TTL_SECONDS = 30;
const FLOOD = { requests: 2_000, concurrency: 16, limit: RATE_LIMIT };

/** ABUSE_PART is part 5's long run. */
export const ABUSE_PART: LongPart = {
  id: 'abuse',
  title: '5. Brute force and abuse',
  run: runAbuse,
};

async function runAbuse(): Promise<PartReport> {
  const probe = await runProbe();
  const flood = await runFlood();
  const lockout = await runLockout();
  const logout = await runLogout();

  const unexpected = probe.rows.filter((row) => !row.refused).length;
  const probeOk =
    unexpected === 0 &&
    probe.changed.length === 0 &&
    probe.controls.every((c) => c.status === 200);
  const floodOk =
    flood.answers['401 invalid_credentials'] === RATE_LIMIT &&
    flood.answers['429 rate_limited'] === FLOOD.requests - RATE_LIMIT &&
    flood.mciasAttempts === RATE_LIMIT &&
    flood.retryAfterOk &&
    flood.rightWhileLimited.status === 429 &&
    Object.values(flood.others).every((status) => status === 200) &&
    flood.otherAddress.status === 200;
  const lockoutOk =
    lockout.wrong.every((a) => a.status === 401) &&
    [lockout.locked, lockout.rightWhileLocked, lockout.afterRestart].every(
      (a) => a.status === 429 && a.retryAfter !== undefined,
    ) &&
    lockout.opened?.status === 200;
  const logoutOk =
    logout.beforeLogout.every((s) => s === 200) &&
    [...logout.atOnce, ...logout.afterCacheTtl, logout.afterRestart].every(
      (s) => s === 401,
    );

  return {
    ok: probeOk && floodOk && lockoutOk && logoutOk,
    markdown: [
      probeMarkdown(probe, unexpected),
      floodMarkdown(flood),
      lockoutMarkdown(lockout),
      logoutMarkdown(logout),
    ].join('\n\n'),
    figures: {
      admin_probes: probe.rows.length,
      admin_probes_refused: probe.rows.length - unexpected,
      admin_probes_unexpected: unexpected,
      admin_endpoints: probe.adminEndpoints.length,
      admin_operations: probe.adminOperations.length,
      ui_admin_routes: probe.uiAdminRoutes.length,
      tables_changed: probe.changed.length,
      refusals_logged: probe.warnings,
      flood_requests: flood.sent,
      flood_reached_mcias: flood.mciasAttempts,
      flood_rate_limited: flood.answers['429 rate_limited'] ?? 0,
      flood_seconds: Number(flood.seconds.toFixed(1)),
      lockout_retry_after_restart: lockout.afterRestart.retryAfter ?? -1,
      lockout_waited_seconds: lockout.waited,
      lockout_opened: lockout.opened?.status === 200,
      logout_reuse_refused: logoutOk,
    },
  };
}

async function runProbe(): Promise<ProbeReport> {
  const { h, admin } = await Harness.startReady();
  try {
    return await probeAdminSurface(h, admin);
  } finally {
    await h.close();
  }
}

async function runFlood(): Promise<FloodReport> {
  const h = await Harness.start({
    config: { server: { auth_rate_limit: RATE_LIMIT } },
  });
  try {
    await h.init();
    return await floodLogin(h, FLOOD);
  } finally {
    await h.close();
  }
}

// `metacrypt server` as a child, with the production lockout policy: it
// starts on a new file, is initialized, crashed (sealed on the next
// start), guessed at, crashed again while locked, and waited out.
async function runLockout(): Promise<LockoutReport> {
  const dir = mkdtempSync(join(tmpdir(), 'metacrypt-abuse-'));
  const target = await ProcessTarget.start(dir);
  try {
    const init = await initWith(target.url);
    if (init !== 200) throw new Error(`init answered ${String(init)}`);
    await target.restart();
    const report = await lockOut(target, {
      maxFailures: MAX_FAILURES,
      waitOut: true,
    });
    await target.kill();
    if (target.leaks() > 0) {
      throw new Error('a seal password guess appears in the server output');
    }
    return report;
  } finally {
    await target.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function initWith(url: string): Promise<number> {
  const answer = await send(url, {
    method: 'POST',
    path: '/v1/init',
    json: { password: PASSWORD },
  });
  return answer.status;
}

async function runLogout(): Promise<LogoutReport> {
  const { h, admin } = await Harness.startReady({
    config: { mcias: { cache_ttl: CACHE_TTL_SECONDS } },
  });
  try {
    const setup = [
      await h.call('POST', '/v1/engine/mount', {
        token: admin,
        json: { name: 'notes', type: 'notes' },
      }),
      await h.call('POST', '/v1/policy/rules', {
        token: admin,
        json: {
          id: 'alice-whoami',
          priority: 1,
          effect: 'allow',
          usernames: ['alice'],
          resources: ['engine/notes/whoami'],
          actions: ['read'],
        },
      }),
    ];
    for (const reply of setup) {
      if (reply.status !== 201) throw new Error(`setup: ${reply.text}`);
    }
    return await reuseAfterLogout(h, CACHE_TTL_SECONDS);
  } finally {
    await h.close();
  }
}

function probeMarkdown(probe: ProbeReport, unexpected: number): string {
  // One row per way in and target, with the answers it got.
  const groups = new Map<string, string[]>();
  for (const row of probe.rows) {
    const key = `${row.via} | \`${row.target}\``;
    const answers = groups.get(key) ?? [];
    answers.push(`${String(row.status)}${row.code ? ` ${row.code}` : ''}`);
    groups.set(key, answers);
  }
  const table = [...groups].map(([key, answers]) => {
    const counts = Object.entries(countBy(answers, (a) => a))
      .map(([answer, n]) => `${answer} ×${String(n)}`)
      .join(', ');
    return `| ${key} | ${String(answers.length)} | ${counts} |`;
  });
  return [
    'Alice (role `user`, with a rule allowing every engine operation a ' +
      'rule can grant) against every admin route: ' +
      `${String(probe.adminEndpoints.length)} admin endpoints from ` +
      'docs/API.md, each as documented and dressed up (upper-case path, ' +
      'trailing or doubled slash, a percent-encoded letter, `?admin=true`, ' +
      'identity headers, a lower-case `bearer`, HEAD), ' +
      `${String(probe.adminOperations.length)} admin-only engine ` +
      'operations from the engine registry through the engine request and ' +
      'the typed transit route, against a key of every type, and ' +
      `${String(probe.uiAdminRoutes.length)} admin routes of the web UI, ` +
      'plain and as htmx.',
    '',
    '| way in | target | probes | answers |',
    '| --- | --- | --- | --- |',
    ...table,
    '',
    `${String(probe.rows.length)} probes, ` +
      `${String(probe.rows.length - unexpected)} refused as expected, ` +
      `${String(unexpected)} not; database tables changed: ` +
      `${String(probe.changed.length)}; refusals logged: ` +
      `${String(probe.warnings)}; read-only probes repeated as admin: ` +
      String(probe.controls.filter((c) => c.status === 200).length) +
      ` of ${String(probe.controls.length)} answered 200.`,
  ].join('\n');
}

function floodMarkdown(flood: FloodReport): string {
  const answers = Object.entries(flood.answers)
    .map(([answer, n]) => `${answer} ×${String(n)}`)
    .join(', ');
  return [
    `Login flood: ${String(flood.sent)} wrong passwords from one address, ` +
      `${String(FLOOD.concurrency)} at a time, each with another ` +
      `X-Forwarded-For, at \`auth_rate_limit = ${String(RATE_LIMIT)}\`, ` +
      `in ${flood.seconds.toFixed(1)} s.`,
    '',
    '| what | answer |',
    '| --- | --- |',
    `| the flood | ${answers} |`,
    `| logins that reached MCIAS | ${String(flood.mciasAttempts)} |`,
    `| Retry-After (largest), RateLimit headers | ` +
      `${String(flood.retryAfterMax)} s, ` +
      `${flood.retryAfterOk ? 'on every 429' : '**missing**'} |`,
    `| the right password, same address | ` +
      `${String(flood.rightWhileLimited.status)} |`,
    `| other routes, same address | ` +
      `${Object.entries(flood.others)
        .map(([route, status]) => `\`${route}\` ${String(status)}`)
        .join(', ')} |`,
    `| the right password, another address | ` +
      `${String(flood.otherAddress.status)} |`,
  ].join('\n');
}

function lockoutMarkdown(lockout: LockoutReport): string {
  const show = (a: {
    status: number;
    retryAfter: number | undefined;
  }): string =>
    String(a.status) +
    (a.retryAfter === undefined ? '' : `, Retry-After ${String(a.retryAfter)}`);
  return [
    'Seal password guessing on `metacrypt server` (a child process, ' +
      'restarted with SIGKILL), production policy: ' +
      `${String(MAX_FAILURES)} failures a minute lock for 60 s.`,
    '',
    '| step | answer |',
    '| --- | --- |',
    `| ${String(lockout.wrong.length)} wrong passwords | ` +
      `${lockout.wrong.map((a) => String(a.status)).join(', ')} |`,
    `| one more wrong | ${show(lockout.locked)} |`,
    `| the right password | ${show(lockout.rightWhileLocked)} |`,
    `| the right password after SIGKILL and restart | ` +
      `${show(lockout.afterRestart)} |`,
    `| the right password after waiting ${String(lockout.waited)} s | ` +
      `${lockout.opened === undefined ? '-' : show(lockout.opened)} |`,
  ].join('\n');
}

function logoutMarkdown(logout: LogoutReport): string {
  const list = (statuses: readonly number[]): string =>
    statuses.map(String).join(', ');
  return [
    'A token after logout (tokeninfo, mounts, an engine request), ' +
      `\`mcias.cache_ttl = ${String(CACHE_TTL_SECONDS)}\`:`,
    '',
    '| moment | answers |',
    '| --- | --- |',
    `| before logout | ${list(logout.beforeLogout)} |`,
    `| logout | ${String(logout.logout)} |`,
    `| at once | ${list(logout.atOnce)} |`,
    `| after ${String(CACHE_TTL_SECONDS)}.2 s | ` +
      `${list(logout.afterCacheTtl)} |`,
    `| after a restart (no local memory of the logout) | ` +
      `${String(logout.afterRestart)} |`,
  ].join('\n');
}
