// Guessing the seal password: wrong passwords until the lockout answers
// 429, the right one refused while it lasts, a restart that must not
// lift it, and the right one working once it is over.
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { SecretScanner } from '../fixtures/secret-scan.js';
import {
  startServerProcess,
  writeServerConfig,
} from '../fixtures/server-process.js';
import type { ServerProcess } from '../fixtures/server-process.js';
import { PASSWORD } from '../keyworker/vault-scratch.js';
import { send } from './abuse-http.js';
import type { Answer } from './abuse-http.js';

/** UnsealTarget is a server that can be restarted on the same file. */
export interface UnsealTarget {
  readonly url: string;
  restart(): Promise<void>;
  /** secret notes a value that must never appear in the target's logs. */
  secret(value: string): void;
}

/** LockoutReport is what each step of lockOut was answered. */
export interface LockoutReport {
  /** The wrong guesses that were still checked: 401 each. */
  readonly wrong: readonly Answer[];
  /** One more wrong guess: the lockout. */
  readonly locked: Answer;
  /** The right password while locked. */
  readonly rightWhileLocked: Answer;
  /** The right password just after a restart. */
  readonly afterRestart: Answer;
  /** The right password once the lockout was waited out, if it was. */
  readonly opened: Answer | undefined;
  /** Seconds spent waiting for the lockout to end. */
  readonly waited: number;
}

/** LockoutOptions say how far lockOut goes. */
export interface LockoutOptions {
  /** Wrong passwords the policy allows before it locks. */
  readonly maxFailures: number;
  /** Whether to wait the lockout out and unseal (bounded: five waits). */
  readonly waitOut: boolean;
}

/** unsealWith asks target to unseal with password. */
export function unsealWith(url: string, password: string): Promise<Answer> {
  return send(url, { method: 'POST', path: '/v1/unseal', json: { password } });
}

/**
 * lockOut guesses on a sealed target as described above; the restart
 * comes between the lockout and the next right password.
 */
export async function lockOut(
  target: UnsealTarget,
  options: LockoutOptions,
): Promise<LockoutReport> {
  // Step 1: the guesses the policy still checks, then one more.
  const wrong: Answer[] = [];
  const guess = (text: string): Promise<Answer> => {
    target.secret(text);
    return unsealWith(target.url, text);
  };
  for (let i = 0; i < options.maxFailures; i++) {
    wrong.push(await guess(`wrong guess ${String(i)}`));
  }
  const locked = await guess('one guess too many');
  const rightWhileLocked = await unsealWith(target.url, PASSWORD);

  // Step 2: a restart does not reset the count, which is in the database.
  await target.restart();
  const afterRestart = await unsealWith(target.url, PASSWORD);

  // Step 3: waiting as Retry-After says, the right password opens.
  let opened: Answer | undefined;
  let waited = 0;
  if (options.waitOut) {
    opened = afterRestart;
    for (let i = 0; i < 5 && opened.status === 429; i++) {
      const seconds = opened.retryAfter ?? 1;
      await sleep(seconds * 1000 + 100);
      waited += seconds;
      opened = await unsealWith(target.url, PASSWORD);
    }
  }
  return { wrong, locked, rightWhileLocked, afterRestart, opened, waited };
}

/**
 * ProcessTarget is `metacrypt server` as a child process; its restart is
 * a SIGKILL, as a crash or an impatient operator would do it.
 */
export class ProcessTarget implements UnsealTarget {
  readonly #config: string;
  readonly #dir: string;
  readonly #secrets = new SecretScanner();
  #output = '';
  #process: ServerProcess | null = null;

  private constructor(config: string, dir: string) {
    this.#config = config;
    this.#dir = dir;
  }

  /** start writes a configuration for dir/vault.db and starts a server. */
  static async start(dir: string): Promise<ProcessTarget> {
    const config = writeServerConfig(join(dir, 'metacrypt.toml'), {
      database: join(dir, 'vault.db'),
    });
    const target = new ProcessTarget(config, dir);
    target.secret(PASSWORD);
    await target.#start();
    return target;
  }

  get url(): string {
    if (this.#process === null) throw new Error('no server process');
    return this.#process.url;
  }

  secret(value: string): void {
    this.#secrets.add(value, 'password');
  }

  /**
   * leaks counts the lines of every process so far (this one up to now)
   * that hold a secret: the seal password or a guess at it.
   */
  leaks(): number {
    const lines = (this.#output + (this.#process?.output() ?? '')).split('\n');
    return this.#secrets.scan(lines).length;
  }

  async restart(): Promise<void> {
    await this.kill();
    await this.#start();
  }

  /** kill ends the process with SIGKILL and waits for it. */
  async kill(): Promise<void> {
    const running = this.#process;
    this.#process = null;
    if (running === null) return;
    running.child.kill('SIGKILL');
    await running.stop();
    this.#output += running.output();
  }

  async #start(): Promise<void> {
    this.#process = await startServerProcess(this.#config, this.#dir);
  }
}
