// Part 7's clients: loops that encrypt and decrypt with one transit key
// until told to stop, sorting every reply into a correct result, a 503
// `sealed`, or anything else, which is a failure.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

import { codeOf, failureOf } from './load-client.js';
import type { LoadClient, LoadReply } from './load-client.js';

/** SealTally counts the replies the clients got, by what they were. */
export interface SealTally {
  calls: number;
  correct: number;
  sealed: number;
  other: number;
  /** The first few replies that were neither, described without data. */
  readonly examples: string[];
}

/** Made is a ciphertext an encrypt answered, and what it encrypts. */
export interface Made {
  readonly plaintext: string;
  readonly ciphertext: string;
}

const MAX_EXAMPLES = 20;

/**
 * SealClients runs count loops against the typed transit routes of path
 * (`/v1/transit/<mount>/<op>/<key>` with `<op>` left as `{op}`). Each
 * loop encrypts a fresh plaintext, then decrypts the last ciphertext it
 * was given, which may be from before a seal: after the unseal it must
 * still open to the same plaintext.
 */
export class SealClients {
  /** tally is every reply so far. */
  readonly tally: SealTally = {
    calls: 0,
    correct: 0,
    sealed: 0,
    other: 0,
    examples: [],
  };
  /** made is every ciphertext an encrypt answered with 200. */
  readonly made: Made[] = [];
  readonly #client: LoadClient;
  readonly #token: string;
  readonly #path: string;
  readonly #loops: Promise<void>[] = [];
  #stopping = false;

  constructor(client: LoadClient, token: string, path: string) {
    this.#client = client;
    this.#token = token;
    this.#path = path;
  }

  /** start starts count loops. */
  start(count: number): void {
    for (let i = 0; i < count; i++) this.#loops.push(this.#loop());
  }

  /** stop lets every loop finish its call, then resolves. */
  async stop(): Promise<void> {
    this.#stopping = true;
    await Promise.all(this.#loops);
  }

  /**
   * waitFor resolves once done(tally) holds, polling; it rejects, saying
   * what it waited for, if deadline (a Date.now() time) passes first.
   */
  async waitFor(
    what: string,
    done: (tally: SealTally) => boolean,
    deadline: number,
  ): Promise<void> {
    while (!done(this.tally)) {
      if (Date.now() > deadline) {
        throw new Error(`seal-load: timed out waiting for ${what}`);
      }
      await sleep(5);
    }
  }

  async #loop(): Promise<void> {
    let last: Made | undefined;
    while (!this.#stopping) {
      // Step 1: encrypt a fresh plaintext.
      const plaintext = randomBytes(24).toString('base64');
      const enc = await this.#call('encrypt', { plaintext });
      const ciphertext = field(enc, 'ciphertext');
      const good = ciphertext?.startsWith('metacrypt:v1:') === true;
      this.#sort('encrypt', enc, good);
      if (good && status(enc) === 200) {
        last = { plaintext, ciphertext };
        this.made.push(last);
      }

      // Step 2: decrypt the last ciphertext this loop was given.
      if (last === undefined) continue;
      const dec = await this.#call('decrypt', { ciphertext: last.ciphertext });
      this.#sort('decrypt', dec, field(dec, 'plaintext') === last.plaintext);
    }
  }

  // One call; a transport failure comes back as its error code, to be
  // sorted as a failure like any wrong reply.
  async #call(op: string, json: unknown): Promise<LoadReply | string> {
    try {
      return await this.#client.call('POST', this.#path.replace('{op}', op), {
        token: this.#token,
        json,
      });
    } catch (err) {
      return failureOf(err);
    }
  }

  #sort(op: string, reply: LoadReply | string, right: boolean): void {
    this.tally.calls += 1;
    if (typeof reply === 'string') {
      this.#fail(`${op}: ${reply}`);
    } else if (reply.status === 200 && right) {
      this.tally.correct += 1;
    } else if (reply.status === 503 && codeOf(reply.body) === 'sealed') {
      this.tally.sealed += 1;
    } else {
      const code = codeOf(reply.body);
      this.#fail(
        `${op}: ${String(reply.status)}` +
          (code === undefined ? '' : ` ${code}`) +
          (reply.status === 200 ? ' with a wrong result' : ''),
      );
    }
  }

  #fail(example: string): void {
    this.tally.other += 1;
    if (this.tally.examples.length < MAX_EXAMPLES) {
      this.tally.examples.push(example);
    }
  }
}

function status(reply: LoadReply | string): number {
  return typeof reply === 'string' ? 0 : reply.status;
}

function field(reply: LoadReply | string, name: string): string | undefined {
  if (typeof reply === 'string') return undefined;
  if (typeof reply.body !== 'object' || reply.body === null) return undefined;
  const value = (reply.body as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
}
