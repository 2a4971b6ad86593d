// Long part `tamper`: the tampering cases of the fast test, run once more
// to put their table in docs/RELIABILITY.md. Nothing here runs long; the
// part exists for the figures.
import type { LongPart, PartReport } from './long-part.js';
import { TAMPER_CASES } from './tamper-cases.js';
import { runCase } from './tamper-run.js';
import type { CaseOutcome } from './tamper-run.js';
import { TamperVault } from './tamper-vault.js';

/** TAMPER_PART is part 4 of docs/RELIABILITY.md. */
export const TAMPER_PART: LongPart = {
  id: 'tamper',
  title: '4. Tampering',
  async run(): Promise<PartReport> {
    const vault = await TamperVault.make();
    const outcomes: CaseOutcome[] = [];
    let exit: number | null;
    try {
      for (const tamperCase of TAMPER_CASES) {
        outcomes.push(await runCase(vault, tamperCase));
      }
    } finally {
      exit = await vault.remove();
    }
    return report(outcomes, exit);
  },
};

function report(
  outcomes: readonly CaseOutcome[],
  exit: number | null,
): PartReport {
  const held = outcomes.filter((o) => o.problems.length === 0).length;
  const rows = outcomes.map((o) => {
    const first = o.refused[0];
    const refusal = first === undefined ? '' : `\`${first.got}\``;
    const refused = o.refused.every((p) => p.ok) ? 'yes' : '**no**';
    const served = o.served.every((p) => p.ok) && o.alive ? 'yes' : '**no**';
    const counted =
      o.attempts === undefined
        ? ''
        : o.attempts > 0
          ? 'counted'
          : 'not counted';
    return (
      `| ${o.edit} | ${refused} | ${refusal} | ` +
      `${served} (${plural(o.served.length, 'check')}) | ${counted} |`
    );
  });
  const problems = outcomes.flatMap((o) =>
    o.problems.map((p) => `- ${o.id}: ${p.split('\n')[0] ?? ''}`),
  );
  const lines = [
    `${String(outcomes.length)} edits of the vault file, each made through a ` +
      'second connection while one `metacrypt server` process is sealed, ' +
      'then read back after an unseal (the seal cases are the unseal). ' +
      `${String(held)} of ${String(outcomes.length)} held; the server ` +
      `answered status after every request and exited ${String(exit)} on ` +
      'SIGTERM at the end.',
    '',
    '| edit | refused | refusal (first request) | the rest served | ' +
      'unseal attempt |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
  ];
  if (problems.length > 0) lines.push('', 'Problems:', '', ...problems);
  return {
    ok: held === outcomes.length && exit === 0,
    markdown: lines.join('\n'),
    figures: {
      cases: outcomes.length,
      held,
      refusals: outcomes.reduce((n, o) => n + o.refused.length, 0),
      servedChecks: outcomes.reduce((n, o) => n + o.served.length, 0),
      exit: String(exit),
    },
  };
}

function plural(n: number, word: string): string {
  return `${String(n)} ${word}${n === 1 ? '' : 's'}`;
}
