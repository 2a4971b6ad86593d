// The long run of part 8: the arena check over many seal-unseal rounds,
// the secrets workload over many rounds, and the tally of every log line
// every harness of this run wrote, each scanned for every secret any of
// them used (so run after the other parts, it covers their logs too).
import { SUITE_SECRETS, SUITE_TALLY } from '../fixtures/secret-scan.js';
import { Harness } from '../server/harness.js';
import { arenaAfterSeal } from './secrets-arena.js';
import type { ArenaReport } from './secrets-arena.js';
import { secretsWorkload } from './secrets-workload.js';
import type { WorkloadReport } from './secrets-workload.js';
import type { LongPart, PartReport } from './long-part.js';

const ARENA_ROUNDS = 25;
const WORKLOAD_ROUNDS = 10;

/** SECRETS_PART is part 8's long run. */
export const SECRETS_PART: LongPart = {
  id: 'secrets',
  title: '8. Secrets in memory and logs',
  run: runSecrets,
};

async function runSecrets(): Promise<PartReport> {
  // Step 1: memory.
  const arena = await arenaAfterSeal(ARENA_ROUNDS);

  // Step 2: this part's own logs; close() scans them once more and adds
  // them to the tally of the whole run.
  const before = { ...SUITE_TALLY };
  const { h, admin } = await Harness.startReady();
  let workload: WorkloadReport;
  try {
    workload = await secretsWorkload(h, admin, WORKLOAD_ROUNDS);
  } finally {
    await h.close();
  }
  const otherHarnesses = before.harnesses;

  const arenaOk =
    arena.nonZero === 0 &&
    arena.heldAfterSeal === 0 &&
    arena.mekHeld &&
    arena.deksHeld === arena.deks &&
    arena.transitVersionsHeld === arena.transitVersions &&
    arena.passwordsNonZero === 0;
  const logsOk = workload.scan.hits.length === 0 && SUITE_TALLY.hits === 0;
  return {
    ok: arenaOk && logsOk,
    markdown: [
      arenaMarkdown(arena),
      workloadMarkdown(workload, otherHarnesses),
    ].join('\n\n'),
    figures: {
      buffers_checked: arena.buffersChecked,
      buffers_non_zero: arena.nonZero,
      buffers_held_after_seal: arena.heldAfterSeal,
      mek_held: arena.mekHeld,
      deks_held: `${String(arena.deksHeld)}/${String(arena.deks)}`,
      transit_versions_held:
        `${String(arena.transitVersionsHeld)}/` + String(arena.transitVersions),
      passwords_non_zero: arena.passwordsNonZero,
      workload_requests: workload.requests,
      log_lines_scanned: workload.scan.lines,
      secrets_searched: workload.scan.secrets,
      forms_searched: workload.scan.forms,
      log_hits: workload.scan.hits.length,
      run_harnesses: SUITE_TALLY.harnesses,
      run_log_lines: SUITE_TALLY.lines,
      run_secrets: SUITE_SECRETS.size,
      run_hits: SUITE_TALLY.hits,
    },
  };
}

function arenaMarkdown(arena: ArenaReport): string {
  return [
    `Memory: the key worker's services built in-process as the worker ` +
      `builds them, over an arena that remembers every buffer; a key of ` +
      `each of the ${String(arena.keyTypes.length)} transit types at two ` +
      `versions, used and exported, a notes MAC key, ` +
      `${String(arena.rounds)} rounds of use with a data key rotation, an ` +
      `MEK rotation, a rekey and a seal and unseal each; then a seal.`,
    '',
    '| what | figure |',
    '| --- | --- |',
    `| key buffers the arena was given | ${String(arena.buffersChecked)} |`,
    `| held just before the seal, after it | ` +
      `${String(arena.heldBeforeSeal)}, ${String(arena.heldAfterSeal)} |`,
    `| the real MEK among them | ${arena.mekHeld ? 'yes' : '**no**'} |`,
    `| DEK versions held, of those in the file | ` +
      `${String(arena.deksHeld)} of ${String(arena.deks)} |`,
    `| transit key versions held, of those in the file | ` +
      `${String(arena.transitVersionsHeld)} of ` +
      `${String(arena.transitVersions)} |`,
    `| buffers not all zero after the seal | ${String(arena.nonZero)} |`,
    `| password buffers handed over, not wiped | ${String(arena.passwords)}` +
      `, ${String(arena.passwordsNonZero)} |`,
  ].join('\n');
}

function workloadMarkdown(
  workload: WorkloadReport,
  otherHarnesses: number,
): string {
  const statuses = Object.entries(workload.statuses)
    .sort()
    .map(([group, n]) => `${group} ×${String(n)}`)
    .join(', ');
  return [
    `Logs: ${String(WORKLOAD_ROUNDS)} rounds of a workload that hands ` +
      'the server every kind of secret on working and failing paths ' +
      `(${String(workload.requests)} API requests: ${statuses}, and the ` +
      'web UI), logging at debug; then every line of the server and of ' +
      'the identity server scanned for every secret in each form it ' +
      'could take.',
    '',
    '| what | figure |',
    '| --- | --- |',
    `| log lines scanned | ${String(workload.scan.lines)} |`,
    `| secrets searched for (strings) | ${String(workload.scan.secrets)} ` +
      `(${String(workload.scan.forms)}) |`,
    `| hits | ${String(workload.scan.hits.length)} |`,
    `| the whole run: harnesses, log lines, secrets, hits | ` +
      `${String(SUITE_TALLY.harnesses)}, ${String(SUITE_TALLY.lines)}, ` +
      `${String(SUITE_SECRETS.size)}, ${String(SUITE_TALLY.hits)} |`,
    '',
    otherHarnesses === 0
      ? 'Run alone, the whole-run tally covers this part only.'
      : `The whole-run tally includes the ${String(otherHarnesses)} ` +
        'harnesses of the parts run before this one.',
  ].join('\n');
}
