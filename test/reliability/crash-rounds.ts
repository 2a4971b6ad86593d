// Crash safety: `metacrypt server` as a child process on one database
// file, killed with SIGKILL at a random moment while a writer keeps
// writing, then restarted and unsealed, round after round. After every
// kill the file passes SQLite's checks; after every restart each write
// the client saw acknowledged is present and correct.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { startIdentityProcess } from '../fixtures/identity-process.js';
import {
  startServerProcess,
  writeServerConfig,
} from '../fixtures/server-process.js';
import type { ServerProcess } from '../fixtures/server-process.js';
import { PASSWORD } from '../keyworker/vault-scratch.js';
import { ApiSession } from './crash-session.js';
import { Ledger } from './crash-ledger.js';
import type { WriteKind } from './crash-ledger.js';
import { checkAcknowledged, settlePending } from './crash-verify.js';
import { Writer } from './crash-writer.js';
import { checkFile } from './crash-file-check.js';
import type { Random } from './crash-random.js';

/** CrashOptions shape a run. */
export interface CrashOptions {
  /** Kills, each followed by a restart and a check. */
  readonly rounds: number;
  /** The kill comes this long after the writer starts, at random... */
  readonly killAfterMs: { readonly min: number; readonly max: number };
  /**
   * ...but not before this many writes of the round were acknowledged, so
   * a slow machine still writes something in every round.
   */
  readonly minAcknowledged: number;
  /** Writes in flight at once. */
  readonly concurrency: number;
  readonly random: Random;
  /** Progress lines, one per round. */
  readonly log?: (line: string) => void;
}

/** RoundResult is one kill and the restart after it. */
export interface RoundResult {
  readonly round: number;
  /** From the writer's start to the kill. */
  readonly killAfterMs: number;
  /** Writes sent, and of those acknowledged, in this round. */
  readonly sent: number;
  readonly acknowledged: number;
  /** Writes waiting for a reply at the kill. */
  readonly inFlight: number;
  readonly landed: number;
  readonly notLanded: number;
  /** integrity_check right after the kill. */
  readonly integrity: string;
  readonly foreignKeyViolations: number;
  /** From the restart to the server listening, and the unseal. */
  readonly restartMs: number;
  readonly unsealMs: number;
  /** Acknowledged writes checked after the restart. */
  readonly checked: number;
  readonly lost: number;
}

/** CrashResult is the whole run. */
export interface CrashResult {
  readonly seed: number;
  readonly rounds: readonly RoundResult[];
  readonly acknowledged: Readonly<Record<WriteKind, number>>;
  readonly acknowledgedTotal: number;
  /** Values encrypted and decrypted again after each restart. */
  readonly ciphertexts: number;
  /**
   * Acknowledged writes missing or wrong, each once, with what was wrong
   * and the first round that found it.
   */
  readonly lost: readonly string[];
  /** Writes in flight at a kill found half done. */
  readonly torn: readonly string[];
  /** Replies no healthy server should give, while it was up. */
  readonly errors: readonly string[];
  /** Rounds whose file failed integrity_check or foreign_key_check. */
  readonly damagedFiles: number;
  readonly landed: number;
  readonly notLanded: number;
  /** What the last clean stop left: SQLite's checks once more. */
  readonly finalIntegrity: string;
}

/** runCrashRounds runs the rounds and reports what every check found. */
export async function runCrashRounds(
  options: CrashOptions,
): Promise<CrashResult> {
  const dir = mkdtempSync(join(tmpdir(), 'metacrypt-crash-'));
  const identity = await startIdentityProcess({ logLevel: 'warn' });
  try {
    const database = join(dir, 'metacrypt.db');
    const config = writeServerConfig(join(dir, 'metacrypt.toml'), {
      database,
      mciasUrl: identity.url,
    });
    const run = new CrashRun(options, config, dir, database);
    try {
      return await run.run();
    } finally {
      // A run that failed midway leaves its server up; none outlives it.
      await run.server?.kill();
    }
  } finally {
    await identity.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

// How often, and for how long at most, the kill waits for the round's
// first acknowledged writes.
const POLL_MS = 5;
const MAX_WAIT_MS = 30_000;

class CrashRun {
  readonly #options: CrashOptions;
  readonly #config: string;
  readonly #dir: string;
  readonly #database: string;
  readonly #ledger = new Ledger();
  readonly #rounds: RoundResult[] = [];
  // What was wrong, and the first round that saw it: a loss is found
  // again by every later check, and counts once.
  readonly #lost = new Map<string, number>();
  readonly #torn: string[] = [];
  readonly #errors: string[] = [];
  #landed = 0;
  #notLanded = 0;
  /** server is the server process running now, if any. */
  server: ServerProcess | undefined;

  constructor(
    options: CrashOptions,
    config: string,
    dir: string,
    database: string,
  ) {
    this.#options = options;
    this.#config = config;
    this.#dir = dir;
    this.#database = database;
  }

  async run(): Promise<CrashResult> {
    // Step 1: a new vault, with one transit mount to begin with.
    let { server, session, restartMs, unsealMs } = await this.#start(true);
    const mounted = await session.post('/v1/engine/mount', {
      name: 'transit',
      type: 'transit',
    });
    if (mounted.status !== 201) throw new Error('cannot mount transit');
    this.#ledger.mounts.add('transit');
    this.#ledger.acknowledged.mount += 1;

    // Step 2: the rounds: write, kill, check the file, restart, check
    // every acknowledged write.
    for (let round = 1; round <= this.#options.rounds; round++) {
      const killed = await this.#writeAndKill(server, session, round);
      const file = checkFile(this.#database);
      ({ server, session, restartMs, unsealMs } = await this.#start(false));
      const settled = await settlePending(session, this.#ledger);
      const checked = await checkAcknowledged(session, this.#ledger);
      this.#landed += settled.landed;
      this.#notLanded += settled.notLanded;
      this.#torn.push(...settled.torn);
      for (const what of checked.lost) {
        if (!this.#lost.has(what)) this.#lost.set(what, round);
      }
      const result: RoundResult = {
        round,
        ...killed,
        landed: settled.landed,
        notLanded: settled.notLanded,
        integrity: file.integrity,
        foreignKeyViolations: file.foreignKeyViolations,
        restartMs,
        unsealMs,
        checked: this.#ledger.acknowledgedTotal,
        lost: checked.lost.length + settled.torn.length,
      };
      this.#rounds.push(result);
      this.#options.log?.(roundLine(result));
    }

    // Step 3: a clean stop, and the file once more.
    session.close();
    const code = await server.stop();
    this.server = undefined;
    if (code !== 0) throw new Error(`server exited ${String(code)} on stop`);
    const final = checkFile(this.#database);
    return this.#result(final.integrity);
  }

  // Starts the server and unseals it (or, the first time, initializes),
  // then logs the admin in.
  async #start(first: boolean): Promise<{
    server: ServerProcess;
    session: ApiSession;
    restartMs: number;
    unsealMs: number;
  }> {
    const began = Date.now();
    const server = await startServerProcess(this.#config, this.#dir);
    this.server = server;
    const listening = Date.now();
    const session = new ApiSession(server.url);
    if (first) {
      const init = await session.post('/v1/init', { password: PASSWORD });
      if (init.status !== 200) throw new Error('init failed');
    } else {
      await session.unseal(PASSWORD);
    }
    const unsealed = Date.now();
    await session.login('admin');
    return {
      server,
      session,
      restartMs: listening - began,
      unsealMs: unsealed - listening,
    };
  }

  async #writeAndKill(
    server: ServerProcess,
    session: ApiSession,
    round: number,
  ): Promise<{
    killAfterMs: number;
    sent: number;
    acknowledged: number;
    inFlight: number;
  }> {
    const { random, concurrency, killAfterMs } = this.#options;
    const before = this.#ledger.acknowledgedTotal;
    const writer = new Writer(session, this.#ledger, random, {
      concurrency,
      round,
      maxMounts: 6,
      maxRules: 150,
    });
    const started = Date.now();
    await sleep(random.int(killAfterMs.min, killAfterMs.max));
    const acknowledged = (): number => this.#ledger.acknowledgedTotal - before;
    const giveUp = Date.now() + MAX_WAIT_MS;
    while (
      acknowledged() < this.#options.minAcknowledged &&
      writer.errors.length === 0 &&
      Date.now() < giveUp
    ) {
      await sleep(POLL_MS);
    }
    const delay = Date.now() - started;
    writer.halt();
    await server.kill();
    await writer.done;
    session.close();
    this.#errors.push(...writer.errors.map((e) => `round ${round}: ${e}`));
    return {
      killAfterMs: delay,
      sent: writer.sent,
      acknowledged: acknowledged(),
      inFlight: this.#ledger.pending.size,
    };
  }

  #result(finalIntegrity: string): CrashResult {
    const ledger = this.#ledger;
    return {
      seed: this.#options.random.seed,
      rounds: this.#rounds,
      acknowledged: { ...ledger.acknowledged },
      acknowledgedTotal: ledger.acknowledgedTotal,
      ciphertexts: ledger.ciphertextCount,
      lost: [...this.#lost].map(([what, round]) => `round ${round}: ${what}`),
      torn: this.#torn,
      errors: this.#errors,
      damagedFiles: this.#rounds.filter(
        (r) => r.integrity !== 'ok' || r.foreignKeyViolations > 0,
      ).length,
      landed: this.#landed,
      notLanded: this.#notLanded,
      finalIntegrity,
    };
  }
}

function roundLine(r: RoundResult): string {
  return (
    `round ${String(r.round)}: killed after ${String(r.killAfterMs)} ms, ` +
    `${String(r.acknowledged)} acknowledged, ${String(r.inFlight)} in flight ` +
    `(${String(r.landed)} landed), integrity ${r.integrity}, ` +
    `${String(r.checked)} checked, ${String(r.lost)} lost`
  );
}
