// Long part `crash`: at least 20 SIGKILLs of a server under writes (25 by
// default, METACRYPT_CRASH_ROUNDS to change), reported for
// docs/RELIABILITY.md.
import { runCrashRounds } from './crash-rounds.js';
import type { CrashResult } from './crash-rounds.js';
import type { LongPart, PartReport } from './long-part.js';
import { Random } from './crash-random.js';

const MIN_ROUNDS = 20;
const DEFAULT_ROUNDS = 25;

/** CRASH_PART is part 1 of docs/RELIABILITY.md. */
export const CRASH_PART: LongPart = {
  id: 'crash',
  title: '1. Crash safety',
  async run(): Promise<PartReport> {
    const rounds = Math.max(
      MIN_ROUNDS,
      Number(process.env.METACRYPT_CRASH_ROUNDS ?? DEFAULT_ROUNDS) ||
        DEFAULT_ROUNDS,
    );
    const result = await runCrashRounds({
      rounds,
      killAfterMs: { min: 100, max: 2500 },
      minAcknowledged: 5,
      concurrency: 4,
      random: Random.fromEnv('METACRYPT_CRASH_SEED'),
      log: (line) => {
        console.log(line);
      },
    });
    return report(result);
  },
};

function report(r: CrashResult): PartReport {
  const inFlight = r.landed + r.notLanded + r.torn.length;
  const ok =
    r.rounds.length >= MIN_ROUNDS &&
    r.lost.length === 0 &&
    r.torn.length === 0 &&
    r.errors.length === 0 &&
    r.damagedFiles === 0 &&
    r.finalIntegrity === 'ok';
  const kinds = Object.entries(r.acknowledged)
    .map(([kind, n]) => `${kind} ${String(n)}`)
    .join(', ');
  const lines = [
    `${String(r.rounds.length)} rounds on one database file, seed ` +
      `${String(r.seed)} (\`METACRYPT_CRASH_SEED\` repeats it). Each round: ` +
      'four writers through the API, SIGKILL after a random 100 to 2500 ms ' +
      '(and at least 5 acknowledged writes), ' +
      '`integrity_check` and `foreign_key_check` on the file as left, ' +
      'restart, unseal, then every acknowledged write read back.',
    '',
    '| figure | value | target |',
    '| --- | --- | --- |',
    `| rounds (SIGKILLs) | ${String(r.rounds.length)} | at least ${String(MIN_ROUNDS)} |`,
    `| acknowledged writes | ${String(r.acknowledgedTotal)} (${kinds}) | |`,
    `| ciphertexts decrypted after each restart | ${String(r.ciphertexts)} | |`,
    `| acknowledged writes lost or wrong | ${String(r.lost.length)} | 0 |`,
    `| files failing integrity_check or foreign_key_check | ${String(r.damagedFiles)} | 0 |`,
    `| in flight at a kill | ${String(inFlight)}: ${String(r.landed)} landed, ` +
      `${String(r.notLanded)} did not, ${String(r.torn.length)} half done | ` +
      'half done 0 |',
    `| replies a healthy server should not give | ${String(r.errors.length)} | 0 |`,
    `| integrity_check after the final clean stop | ${r.finalIntegrity} | ok |`,
    '',
    '| round | killed after ms | acknowledged | in flight | landed | ' +
      'integrity | restart ms | unseal ms | acknowledged so far, checked | lost |',
    '| ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: |',
    ...r.rounds.map((round) =>
      [
        round.round,
        round.killAfterMs,
        round.acknowledged,
        round.inFlight,
        round.landed,
        round.integrity,
        round.restartMs,
        round.unsealMs,
        round.checked,
        round.lost,
      ]
        .map(String)
        .join(' | ')
        .replace(/^/, '| ')
        .replace(/$/, ' |'),
    ),
  ];
  const problems = [...r.lost, ...r.torn, ...r.errors].slice(0, 10);
  if (problems.length > 0) {
    lines.push('', 'First problems:', '', ...problems.map((p) => `- ${p}`));
  }
  return {
    ok,
    markdown: lines.join('\n'),
    figures: {
      seed: r.seed,
      rounds: r.rounds.length,
      acknowledged: r.acknowledgedTotal,
      ciphertexts: r.ciphertexts,
      lost: r.lost.length,
      torn: r.torn.length,
      errors: r.errors.length,
      damagedFiles: r.damagedFiles,
      inFlight,
      landed: r.landed,
      notLanded: r.notLanded,
    },
  };
}
