// Runs one tampering case on the vault's server: seal, the edit, unseal
// (for barrier cases), then the case's requests and what came of them.
import { isDeepStrictEqual } from 'node:util';

import BetterSqlite3 from 'better-sqlite3';

import type { ApiReply } from './crash-session.js';
import type { Probe, TamperCase } from './tamper-probes.js';
import type { TamperVault } from './tamper-vault.js';

/** ProbeOutcome is one request and whether its reply was the one wanted. */
export interface ProbeOutcome {
  readonly what: string;
  /** `500 barrier_integrity: <message>`, or just the status. */
  readonly got: string;
  readonly ok: boolean;
}

/** CaseOutcome is what one case found. */
export interface CaseOutcome {
  readonly id: string;
  readonly edit: string;
  readonly refused: readonly ProbeOutcome[];
  readonly served: readonly ProbeOutcome[];
  /** The server answered status after every request. */
  readonly alive: boolean;
  /** Seal cases: failed unseal attempts stored after the refusal. */
  readonly attempts?: number;
  /** Everything that was not as the case says, empty when it held. */
  readonly problems: readonly string[];
}

/** runCase makes the case's edit and sends its requests. */
export async function runCase(
  vault: TamperVault,
  tamperCase: TamperCase,
): Promise<CaseOutcome> {
  // Step 1: the edit, made while sealed; barrier cases then unseal.
  await vault.seal();
  vault.edit((db) => {
    tamperCase.tamper(db);
  });
  if (tamperCase.target === 'barrier') await vault.unseal();

  // Step 2: the requests, in order, each followed by a look at status.
  const problems: string[] = [];
  const refused: ProbeOutcome[] = [];
  const served: ProbeOutcome[] = [];
  let alive = true;
  const probes = tamperCase.probes(vault.ciphertexts);
  for (const [list, into] of [
    [probes.refused, refused],
    [probes.served, served],
  ] as const) {
    for (const probe of list) {
      const reply = await vault
        .session(probe.as)
        .call(probe.method, probe.path, probe.body);
      const outcome = judge(probe, reply);
      into.push(outcome);
      if (!outcome.ok) problems.push(`${probe.what}: got ${outcome.got}`);
      const status = await vault.session('anyone').call('GET', '/v1/status');
      if (status.status !== 200) alive = false;
    }
  }
  if (!alive || vault.server.child.exitCode !== null) {
    problems.push(`the server stopped serving:\n${vault.server.output()}`);
  }

  // Step 3: for seal cases, whether the refusal was counted.
  let attempts: number | undefined;
  if (tamperCase.counted !== undefined) {
    attempts = countAttempts(vault.database);
    if (attempts !== (tamperCase.counted ? 1 : 0)) {
      problems.push(`${String(attempts)} unseal attempts were counted`);
    }
  }
  return {
    id: tamperCase.id,
    edit: tamperCase.edit,
    refused,
    served,
    alive,
    ...(attempts === undefined ? {} : { attempts }),
    problems,
  };
}

// A refusal must carry exactly `{error, code}`, with the case's status,
// code and message; a success its status and the fields the case names.
function judge(probe: Probe, reply: ApiReply): ProbeOutcome {
  const body = reply.body as Record<string, unknown> | null;
  const error = typeof body?.error === 'string' ? body.error : undefined;
  const code = typeof body?.code === 'string' ? body.code : undefined;
  const got =
    code === undefined
      ? String(reply.status)
      : `${String(reply.status)} ${code}: ${String(error)}`;
  let ok = reply.status === probe.status;
  if (probe.code !== undefined) {
    ok &&=
      code === probe.code &&
      error === probe.message &&
      isDeepStrictEqual(Object.keys(body ?? {}).sort(), ['code', 'error']);
  }
  for (const [field, value] of Object.entries(probe.holds ?? {})) {
    ok &&= isDeepStrictEqual(body?.[field], value);
  }
  return { what: probe.what, got, ok };
}

// Read-only, beside the running server: WAL lets both look at once.
function countAttempts(database: string): number {
  const db = new BetterSqlite3(database, { readonly: true });
  try {
    const row = db
      .prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM unseal_attempts')
      .get();
    return row?.n ?? 0;
  } finally {
    db.close();
  }
}
