// The seal state machine (DESIGN.md §4): init, unseal, seal, rekey and MEK
// rotation, and the barrier and keyring it opens while unsealed.
import {
  aeadDecrypt,
  aeadEncrypt,
  KEY_LENGTH,
  parseFrameHeader,
  randomBytes,
  zeroize,
} from '../crypto/index.js';
import type { Argon2idParams } from '../crypto/index.js';
import type { Database } from '../db/index.js';
import { MetacryptError } from '../errors/index.js';
import type { Argon2Pool } from './argon2-pool.js';
import { KWK_REF, mekContext } from './associated-data.js';
import type { Barrier } from './barrier.js';
import { BarrierAesGcm } from './barrier-aes-gcm.js';
import { SYSTEM_KEY_ID } from './barrier-path.js';
import { KeyArena } from './key-arena.js';
import { Keyring } from './keyring.js';
import type {
  KeyInfo,
  MekRotateValue,
  RekeyValue,
  SealState,
  StatusValue,
} from './protocol.js';
import { checkSealConfig, SealStore } from './seal-store.js';
import type { SealConfig } from './seal-store.js';
import { UnsealLimiter } from './unseal-limiter.js';
import type { LimiterPolicy } from './unseal-limiter.js';

/** KdfSettings are the Argon2id cost settings a new wrapping uses. */
export type KdfSettings = Pick<
  Argon2idParams,
  'time' | 'memoryKiB' | 'threads'
>;

/** SealStateMachineOptions are the state machine's dependencies. */
export interface SealStateMachineOptions {
  readonly db: Database;
  readonly pool: Pick<Argon2Pool, 'derive'>;
  /** Parameters for init and rekey; unseal uses the stored ones. */
  readonly kdf: KdfSettings;
  /** Fewest characters a new seal password may have. */
  readonly minPasswordLength: number;
  readonly limiter?: LimiterPolicy;
  /** The clock, in Unix milliseconds. */
  readonly now?: () => number;
  /** Where key buffers live; tests pass one to watch it. */
  readonly arena?: KeyArena;
}

const SALT_LENGTH = 16;
const FIRST_VERSION = 1;

/**
 * SealStateMachine owns the vault's keys. Changes of state that derive a
 * key run one at a time; barrier and keyring calls are synchronous, so
 * each runs entirely before or after a seal, never across one.
 */
export class SealStateMachine {
  readonly #db: Database;
  readonly #pool: Pick<Argon2Pool, 'derive'>;
  readonly #kdf: KdfSettings;
  readonly #minPasswordLength: number;
  readonly #now: () => number;
  readonly #arena: KeyArena;
  readonly #store: SealStore;
  readonly #limiter: UnsealLimiter;
  readonly #keyring: Keyring;
  readonly #barrier: BarrierAesGcm;
  #state: SealState;
  #queue: Promise<unknown> = Promise.resolve();
  #inFlight = 0;
  readonly #sealListeners: (() => void)[] = [];

  constructor(options: SealStateMachineOptions) {
    this.#db = options.db;
    this.#pool = options.pool;
    this.#kdf = options.kdf;
    this.#minPasswordLength = options.minPasswordLength;
    this.#now = options.now ?? Date.now;
    this.#arena = options.arena ?? new KeyArena();
    this.#store = new SealStore(this.#db);
    this.#limiter = new UnsealLimiter(this.#db, options.limiter, this.#now);
    const isoNow = (): string => new Date(this.#now()).toISOString();
    this.#keyring = new Keyring(this.#db, this.#arena, isoNow);
    this.#barrier = new BarrierAesGcm(this.#db, this.#keyring, isoNow);
    this.#state = this.#store.isInitialized() ? 'sealed' : 'uninitialized';
  }

  /** status reports the state, noticing an init done by another process. */
  status(): StatusValue {
    if (this.#state === 'uninitialized' && this.#store.isInitialized()) {
      this.#state = 'sealed';
    }
    return { state: this.#state };
  }

  /**
   * init creates the MEK and the system DEK, seals the MEK under a key
   * derived from password, and leaves the vault unsealed. The password
   * buffer is wiped, whatever the outcome.
   */
  init(password: Uint8Array): Promise<StatusValue> {
    return this.#serial(async () => {
      // Refuse a second init before spending time on Argon2.
      if (this.status().state !== 'uninitialized') {
        zeroize(password);
        throw new MetacryptError('already_initialized');
      }
      this.#checkNewPassword(password);
      this.#state = 'initializing';

      let kwk: Buffer | undefined;
      let mek: Buffer | undefined;
      let dek: Buffer | undefined;
      try {
        // Step 1: derive the KWK from the password and a fresh salt.
        const salt = randomBytes(SALT_LENGTH);
        const params = this.#newParams();
        kwk = this.#arena.adopt(
          await this.#pool.derive(password, salt, params),
        );

        // Step 2: make the MEK and the system DEK and seal them.
        mek = this.#arena.adopt(randomBytes(KEY_LENGTH));
        const sealedMek = aeadEncrypt(
          kwk,
          KWK_REF,
          mek,
          mekContext(FIRST_VERSION),
        );
        const system = Keyring.sealNewDek(
          this.#arena,
          mek,
          FIRST_VERSION,
          SYSTEM_KEY_ID,
          FIRST_VERSION,
        );
        dek = system.dek;

        // Step 3: store both in one transaction. The seal_config primary
        // key makes a racing init in another process fail here.
        const now = new Date(this.#now()).toISOString();
        this.#db
          .transaction(() => {
            this.#store.insert({ salt, params, sealedMek }, FIRST_VERSION, now);
            Keyring.insertRow(
              this.#db,
              SYSTEM_KEY_ID,
              FIRST_VERSION,
              system.sealed,
              now,
            );
          })
          .immediate();

        // Step 4: open the keyring with the new MEK.
        this.#keyring.open(mek, FIRST_VERSION);
        mek = undefined;
        this.#state = 'unsealed';
        return { state: this.#state };
      } catch (err) {
        this.#arena.release(mek);
        this.#state = this.#store.isInitialized() ? 'sealed' : 'uninitialized';
        if (isUniqueViolation(err)) {
          throw new MetacryptError('already_initialized', undefined, {
            cause: err,
          });
        }
        throw err;
      } finally {
        zeroize(password);
        this.#arena.release(kwk);
        // The system DEK is re-read from its row on first use, which also
        // proves the row just written opens.
        this.#arena.release(dek);
      }
    });
  }

  /**
   * unseal opens the MEK with a key derived from password and the stored
   * salt and parameters. Wrong passwords count towards the lockout.
   */
  unseal(password: Uint8Array): Promise<StatusValue> {
    return this.#serial(async () => {
      try {
        const state = this.status().state;
        if (state === 'unsealed') return { state };
        if (state !== 'sealed') throw new MetacryptError('not_initialized');
        this.#limiter.check();

        const config = this.#readConfig();
        const mek = await this.#openMek(password, config);
        this.#limiter.reset();
        this.#keyring.open(mek, config.mekVersion);
        this.#state = 'unsealed';
        return { state: this.#state };
      } finally {
        zeroize(password);
      }
    });
  }

  /**
   * seal wipes the MEK, every DEK and every other key buffer. With no
   * state change under way it acts at once, before the next request is
   * looked at; during an unseal or rekey it waits for that to finish, so
   * the vault ends sealed either way.
   */
  seal(): Promise<StatusValue> {
    const wipe = (): StatusValue => {
      // Listeners (the engine host) drop what they built on the keys
      // first; the arena then wipes every buffer, theirs included.
      for (const listener of this.#sealListeners) listener();
      this.#keyring.close();
      this.#arena.wipeAll();
      if (this.#state === 'unsealed') this.#state = 'sealed';
      return this.status();
    };
    if (this.#inFlight === 0) return Promise.resolve(wipe());
    return this.#serial(() => Promise.resolve(wipe()));
  }

  /**
   * rekey seals the same MEK under a new password, with a fresh salt and
   * the configured parameters. The data and the DEKs are untouched.
   */
  rekey(oldPassword: Uint8Array, newPassword: Uint8Array): Promise<RekeyValue> {
    return this.#serial(async () => {
      let opened: Buffer | undefined;
      let kwk: Buffer | undefined;
      try {
        this.#requireUnsealed();
        this.#checkNewPassword(newPassword);
        this.#limiter.check();

        // Step 1: prove the old password, as unseal would.
        const config = this.#readConfig();
        opened = await this.#openMek(oldPassword, config);
        this.#requireSameMek(opened);
        this.#limiter.reset();

        // Step 2: wrap the MEK under the new password and store it.
        const salt = randomBytes(SALT_LENGTH);
        const params = this.#newParams();
        kwk = this.#arena.adopt(
          await this.#pool.derive(newPassword, salt, params),
        );
        const sealedMek = aeadEncrypt(
          kwk,
          KWK_REF,
          opened,
          mekContext(config.mekVersion),
        );
        const rekeyedAt = new Date(this.#now()).toISOString();
        this.#store.rewrap({ salt, params, sealedMek }, rekeyedAt);
        return { rekeyedAt };
      } finally {
        zeroize(oldPassword, newPassword);
        this.#arena.release(opened);
        this.#arena.release(kwk);
      }
    });
  }

  /**
   * rotateMek makes a new MEK and rewraps every DEK under it in one
   * transaction. The password is needed because the new MEK must be
   * sealed under the KWK, which is never kept after an unseal.
   */
  rotateMek(password: Uint8Array): Promise<MekRotateValue> {
    return this.#serial(async () => {
      let kwk: Buffer | undefined;
      let opened: Buffer | undefined;
      let newMek: Buffer | undefined;
      try {
        this.#requireUnsealed();
        this.#limiter.check();

        // Step 1: derive the KWK and prove it opens the current MEK.
        const config = this.#readConfig();
        kwk = this.#arena.adopt(
          await this.#pool.derive(password, config.salt, config.params),
        );
        opened = this.#tryOpenMek(kwk, config);
        this.#requireSameMek(opened);
        this.#limiter.reset();

        // Step 2: rewrap every DEK and store the new MEK, all or nothing.
        const version = config.mekVersion + 1;
        const mek = this.#arena.adopt(randomBytes(KEY_LENGTH));
        newMek = mek;
        const sealedMek = aeadEncrypt(kwk, KWK_REF, mek, mekContext(version));
        const rewrapped = this.#db
          .transaction(() => {
            const count = this.#keyring.rewrapAll(mek, version);
            this.#store.replaceMek(sealedMek, version);
            return count;
          })
          .immediate();

        // Step 3: use the new MEK from now on.
        this.#keyring.replaceMek(mek, version);
        newMek = undefined;
        return { mekVersion: version, rewrapped };
      } finally {
        zeroize(password);
        this.#arena.release(kwk);
        this.#arena.release(opened);
        this.#arena.release(newMek);
      }
    });
  }

  /** barrier is the storage barrier; it refuses everything while sealed. */
  get barrier(): Barrier {
    this.#requireUnsealed();
    return this.#barrier;
  }

  /** keys lists the data keys; it refuses while sealed. */
  listKeys(): KeyInfo[] {
    this.#requireUnsealed();
    return this.#keyring.list();
  }

  /** createKey makes a data key for a mount. */
  createKey(keyId: string): KeyInfo {
    this.#requireUnsealed();
    return this.#keyring.create(keyId);
  }

  /** rotateKey adds a version to a data key. */
  rotateKey(keyId: string): KeyInfo {
    this.#requireUnsealed();
    return this.#keyring.rotate(keyId);
  }

  /** destroyKey deletes a data key and its entries. */
  destroyKey(keyId: string): number {
    this.#requireUnsealed();
    return this.#keyring.destroy(keyId);
  }

  /**
   * forgetKey drops what the keyring remembers of keyId, after a
   * transaction that created it rolled back.
   */
  forgetKey(keyId: string): void {
    this.#keyring.forget(keyId);
  }

  /** keys is where engine cores register the key buffers they unwrap. */
  get keys(): KeyArena {
    this.#requireUnsealed();
    return this.#arena;
  }

  /**
   * transaction runs fn in one SQLite transaction (a savepoint inside
   * another), so several barrier and keyring writes land together.
   */
  transaction<T>(fn: () => T): T {
    this.#requireUnsealed();
    return this.#db.transaction(fn).immediate();
  }

  /** onSeal registers fn to run at every seal, before keys are wiped. */
  onSeal(fn: () => void): void {
    this.#sealListeners.push(fn);
  }

  // Runs fn after every earlier state change has finished, so two unseals,
  // or a seal during a rekey, never interleave across an await.
  #serial<T>(fn: () => Promise<T>): Promise<T> {
    this.#inFlight++;
    const run = this.#queue.then(fn, fn).finally(() => {
      this.#inFlight--;
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #openMek(password: Uint8Array, config: SealConfig): Promise<Buffer> {
    let kwk: Buffer | undefined;
    try {
      kwk = this.#arena.adopt(
        await this.#pool.derive(password, config.salt, config.params),
      );
      return this.#tryOpenMek(kwk, config);
    } finally {
      this.#arena.release(kwk);
    }
  }

  // A KWK that does not open the MEK means a wrong password (or a damaged
  // row, which looks the same from here): it counts as a failed attempt.
  #tryOpenMek(kwk: Buffer, config: SealConfig): Buffer {
    try {
      const header = parseFrameHeader(config.sealedMek);
      if (header.id !== KWK_REF.id) throw new Error('not sealed under a KWK');
      return this.#arena.adopt(
        aeadDecrypt(kwk, config.sealedMek, mekContext(config.mekVersion)),
      );
    } catch (err) {
      this.#limiter.recordFailure();
      throw new MetacryptError('invalid_password', undefined, { cause: err });
    }
  }

  #requireSameMek(opened: Buffer): void {
    if (!this.#keyring.matchesMek(opened)) {
      throw new MetacryptError(
        'barrier_integrity',
        'barrier: integrity check failed: the stored MEK is not the one in use',
      );
    }
  }

  // Callers have checked the vault is initialized, so a missing row is
  // damage, like a row no init or rekey could have written.
  #readConfig(): SealConfig {
    return checkSealConfig(this.#store.read());
  }

  #requireUnsealed(): void {
    if (this.#state !== 'unsealed') throw new MetacryptError('sealed');
  }

  #newParams(): Argon2idParams {
    return { ...this.#kdf, keyLength: KEY_LENGTH, saltLength: SALT_LENGTH };
  }

  // Characters, not bytes: a password of 12 accented letters is 12
  // characters. Counting UTF-8 lead bytes avoids decoding the password
  // into a string that could not be wiped.
  #checkNewPassword(password: Uint8Array): void {
    let characters = 0;
    for (const byte of password) if ((byte & 0xc0) !== 0x80) characters++;
    if (characters < this.#minPasswordLength) {
      zeroize(password);
      throw new MetacryptError(
        'password_too_short',
        `password must be at least ${String(this.#minPasswordLength)} ` +
          'characters',
      );
    }
  }
}

function isUniqueViolation(err: unknown): boolean {
  return (
    err instanceof Error &&
    'code' in err &&
    (err.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' ||
      err.code === 'SQLITE_CONSTRAINT_UNIQUE')
  );
}
