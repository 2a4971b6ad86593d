// Part 7, seal under load, the long run: ten rounds of seal and unseal by
// an admin while 50 clients encrypt and decrypt, with what they got back.
import { markdownTable } from '../../bench/common.js';
import type { LongPart, PartReport } from './long-part.js';
import { runSealLoad } from './seal-load-run.js';
import type { SealLoadOptions, SealLoadResult } from './seal-load-run.js';

const OPTIONS: SealLoadOptions = {
  clients: 50,
  rounds: 10,
  correctPerPhase: 3_000,
  sealedPerPhase: 2_000,
  timeoutMs: 10 * 60_000,
};

/** SEAL_LOAD_PART is the long seal-under-load run. */
export const SEAL_LOAD_PART: LongPart = {
  id: 'seal-load',
  title: '7. Seal under load',
  run: async () => report(await runSealLoad(OPTIONS)),
};

function report(result: SealLoadResult): PartReport {
  const { tally, rounds } = result;
  const ms = (values: readonly number[]): string => {
    const sorted = [...values].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
    return `${median.toFixed(0)} / ${Math.max(...sorted).toFixed(0)}`;
  };
  const held = {
    replies: tally.other === 0 && tally.calls === tally.correct + tally.sealed,
    after:
      result.wrongAfter === 0 && result.keyVersion === 1 && result.freshWorks,
  };
  const verdict = (ok: boolean): string => (ok ? 'held' : 'missed');

  const markdown = [
    `${String(OPTIONS.clients)} client loops (encrypt a fresh plaintext, ` +
      'then decrypt the last ciphertext the loop was given, as alice ' +
      'through a policy rule) against the in-process server; ' +
      `${String(rounds.length)} rounds, each: ` +
      `${String(OPTIONS.correctPerPhase)} correct results, ` +
      'POST /v1/seal as admin, ' +
      `${String(OPTIONS.sealedPerPhase)} sealed replies, POST /v1/unseal. ` +
      'Then the load stops and every ciphertext an encrypt answered is ' +
      'decrypted (batch) and compared with its plaintext.',
    '',
    markdownTable(
      ['calls', 'correct', '503 sealed', 'anything else'],
      [
        [
          String(tally.calls),
          String(tally.correct),
          String(tally.sealed),
          String(tally.other),
        ],
      ],
    ),
    '',
    `Under the load, seal took ${ms(rounds.map((r) => r.sealMs))} ms ` +
      `(median / max) and unseal ${ms(rounds.map((r) => r.unsealMs))} ms ` +
      '(test Argon2id cost).',
    '',
    `After the last unseal: ${String(result.verified)} ciphertexts ` +
      `decrypted, ${String(result.wrongAfter)} wrong; the key's latest ` +
      `version ${String(result.keyVersion)}; a fresh encrypt and decrypt ` +
      `${result.freshWorks ? 'worked' : 'failed'}.`,
    '',
    `Targets: every reply correct or 503 sealed: ${verdict(held.replies)}` +
      `; after unseal, everything works with the same key: ` +
      `${verdict(held.after)}.`,
    ...(tally.examples.length === 0
      ? []
      : ['', `First other replies: ${tally.examples.join('; ')}.`]),
  ].join('\n');

  return {
    ok: held.replies && held.after,
    markdown,
    figures: {
      rounds: rounds.length,
      calls: tally.calls,
      correct: tally.correct,
      sealed: tally.sealed,
      other: tally.other,
      verified: result.verified,
      wrongAfter: result.wrongAfter,
    },
  };
}
