// The named keys of one transit mount: their settings and versions in the
// mount's storage, and their material unwrapped on first use and wiped
// when the mount's core closes.
import type { EngineStorage, KeyHolder } from '../../engine/engine-core.js';
import { MetacryptError } from '../../errors/index.js';
import {
  generateSecret,
  isKeyPairType,
  loadMaterial,
  publicKeyPem,
} from './key-material.js';
import type { KeyMaterial } from './key-material.js';
import { KEY_NAME, TRANSIT_KEY_TYPES } from './key-type-names.js';
import type { TransitKeyType } from './key-type-names.js';

// Storage layout under engine/<mount>/:
//   keys/<name>/meta     JSON settings, no key bytes (KeyMeta below)
//   keys/<name>/v/<n>    version n's key: raw bytes, or PKCS #8 DER
// Key bytes are kept out of the JSON so they are never held in a string,
// which could not be wiped.

/** VersionMeta describes one key version. */
export interface VersionMeta {
  readonly created_at: string;
  /** PEM of the public key, for key pair types. */
  readonly public_key?: string;
}

/** KeyMeta is a key's settings, as stored. */
export interface KeyMeta {
  readonly name: string;
  readonly type: TransitKeyType;
  readonly created_at: string;
  readonly latest_version: number;
  readonly min_decryption_version: number;
  /** 0 means any version may encrypt (the latest by default). */
  readonly min_encryption_version: number;
  /** Versions below this were trimmed and are gone. */
  readonly min_available_version: number;
  readonly deletion_allowed: boolean;
  readonly exportable: boolean;
  readonly versions: Readonly<Record<string, VersionMeta>>;
}

/** KeySettings are what update-key-config may change. */
export interface KeySettings {
  readonly min_decryption_version?: number;
  readonly min_encryption_version?: number;
  readonly deletion_allowed?: boolean;
  readonly exportable?: boolean;
}

/** TransitKeyring keeps one mount's named keys. */
export class TransitKeyring {
  readonly #storage: EngineStorage;
  readonly #arena: KeyHolder;
  readonly #now: () => number;
  readonly #meta = new Map<string, KeyMeta>();
  readonly #material = new Map<string, KeyMaterial>();

  constructor(storage: EngineStorage, arena: KeyHolder, now: () => number) {
    this.#storage = storage;
    this.#arena = arena;
    this.#now = now;
  }

  /** names lists every key, sorted. */
  names(): string[] {
    return this.#storage
      .list('keys/')
      .filter((path) => path.endsWith('/meta'))
      .map((path) => path.slice('keys/'.length, -'/meta'.length));
  }

  /** meta returns a key's settings, or throws `not_found`. */
  meta(name: string): KeyMeta {
    checkName(name);
    const cached = this.#meta.get(name);
    if (cached !== undefined) return cached;
    const stored = this.#storage.get(`keys/${name}/meta`);
    if (stored === null) {
      throw new MetacryptError('not_found', `key ${name} not found`);
    }
    const meta = JSON.parse(stored.toString('utf8')) as KeyMeta;
    this.#meta.set(name, meta);
    return meta;
  }

  /** create makes version 1 of a new key. */
  create(
    name: string,
    type: TransitKeyType,
    options: { exportable: boolean; deletion_allowed: boolean },
  ): KeyMeta {
    checkName(name);
    if (!TRANSIT_KEY_TYPES.includes(type)) {
      throw new MetacryptError('bad_request', 'type: unknown key type');
    }
    if (this.#storage.get(`keys/${name}/meta`) !== null) {
      throw new MetacryptError('already_exists', `key ${name} already exists`);
    }
    const created = this.#isoNow();
    const secret = this.#arena.adopt(generateSecret(type));
    const meta: KeyMeta = {
      name,
      type,
      created_at: created,
      latest_version: 1,
      min_decryption_version: 1,
      min_encryption_version: 0,
      min_available_version: 1,
      deletion_allowed: options.deletion_allowed,
      exportable: options.exportable,
      versions: { '1': versionMeta(type, secret, created) },
    };
    try {
      this.#storage.transaction(() => {
        this.#storage.put(`keys/${name}/v/1`, secret);
        this.#write(meta);
      });
    } finally {
      this.#arena.release(secret);
    }
    return meta;
  }

  /** rotate adds a version; new values use it from now on. */
  rotate(name: string): KeyMeta {
    const meta = this.meta(name);
    const version = meta.latest_version + 1;
    const created = this.#isoNow();
    const secret = this.#arena.adopt(generateSecret(meta.type));
    const next: KeyMeta = {
      ...meta,
      latest_version: version,
      versions: {
        ...meta.versions,
        [String(version)]: versionMeta(meta.type, secret, created),
      },
    };
    try {
      this.#storage.transaction(() => {
        this.#storage.put(`keys/${name}/v/${String(version)}`, secret);
        this.#write(next);
      });
    } finally {
      this.#arena.release(secret);
    }
    return next;
  }

  /**
   * update changes a key's settings. Versions must exist and not be
   * trimmed; exportable, once on, stays on, since the key may have left.
   */
  update(name: string, settings: KeySettings): KeyMeta {
    const meta = this.meta(name);
    const minDecrypt =
      settings.min_decryption_version ?? meta.min_decryption_version;
    const minEncrypt =
      settings.min_encryption_version ?? meta.min_encryption_version;

    if (
      minDecrypt < meta.min_available_version ||
      minDecrypt > meta.latest_version
    ) {
      throw new MetacryptError(
        'bad_request',
        `min_decryption_version: must be ${String(meta.min_available_version)} ` +
          `to ${String(meta.latest_version)} (the versions key ${name} has)`,
      );
    }
    if (
      minEncrypt !== 0 &&
      (minEncrypt < minDecrypt || minEncrypt > meta.latest_version)
    ) {
      throw new MetacryptError(
        'bad_request',
        `min_encryption_version: must be 0 or ${String(minDecrypt)} to ` +
          String(meta.latest_version),
      );
    }
    if (meta.exportable && settings.exportable === false) {
      throw new MetacryptError(
        'bad_request',
        `exportable: key ${name} may have been exported already, so it ` +
          'cannot be made unexportable',
      );
    }
    const next: KeyMeta = {
      ...meta,
      min_decryption_version: minDecrypt,
      min_encryption_version: minEncrypt,
      deletion_allowed: settings.deletion_allowed ?? meta.deletion_allowed,
      exportable: settings.exportable ?? meta.exportable,
    };
    this.#write(next);
    return next;
  }

  /**
   * trim deletes every version below minAvailable (by default the
   * minimum decryption version), which can then never decrypt again.
   */
  trim(name: string, minAvailable?: number): KeyMeta {
    const meta = this.meta(name);
    const floor = minAvailable ?? meta.min_decryption_version;
    if (
      floor < meta.min_available_version ||
      floor > meta.min_decryption_version
    ) {
      throw new MetacryptError(
        'bad_request',
        `min_available_version: must be ${String(meta.min_available_version)} ` +
          `to ${String(meta.min_decryption_version)} (the minimum decryption ` +
          'version); raise that first',
      );
    }
    const versions: Record<string, VersionMeta> = {};
    for (const [version, info] of Object.entries(meta.versions)) {
      if (Number(version) >= floor) versions[version] = info;
    }
    const next: KeyMeta = { ...meta, min_available_version: floor, versions };
    this.#storage.transaction(() => {
      for (let v = meta.min_available_version; v < floor; v++) {
        this.#storage.delete(`keys/${name}/v/${String(v)}`);
        this.#forget(name, v);
      }
      this.#write(next);
    });
    return next;
  }

  /** delete removes a key and every version, if deletion is allowed. */
  delete(name: string): void {
    const meta = this.meta(name);
    if (!meta.deletion_allowed) {
      throw new MetacryptError(
        'bad_request',
        `deletion is not allowed for key ${name}; set deletion_allowed first`,
      );
    }
    this.#storage.transaction(() => {
      for (const path of this.#storage.list(`keys/${name}/`)) {
        this.#storage.delete(path);
      }
    });
    for (const version of Object.keys(meta.versions)) {
      this.#forget(name, Number(version));
    }
    this.#meta.delete(name);
  }

  /**
   * material returns version's key material, unwrapping it on first use.
   * The caller has checked that the version may be used for its purpose.
   */
  material(meta: KeyMeta, version: number): KeyMaterial {
    const id = `${meta.name}#${String(version)}`;
    const cached = this.#material.get(id);
    if (cached !== undefined) return cached;
    const stored = this.#storage.get(`keys/${meta.name}/v/${String(version)}`);
    if (stored === null) {
      throw new MetacryptError(
        'internal',
        `transit: version ${String(version)} of key ${meta.name} is missing`,
      );
    }
    const material = loadMaterial(meta.type, this.#arena.adopt(stored));
    this.#material.set(id, material);
    return material;
  }

  /** close wipes every unwrapped key and forgets every setting. */
  close(): void {
    for (const material of this.#material.values()) {
      this.#arena.release(material.secret);
    }
    this.#material.clear();
    this.#meta.clear();
  }

  #forget(name: string, version: number): void {
    const id = `${name}#${String(version)}`;
    const material = this.#material.get(id);
    if (material !== undefined) this.#arena.release(material.secret);
    this.#material.delete(id);
  }

  #write(meta: KeyMeta): void {
    this.#storage.put(
      `keys/${meta.name}/meta`,
      Buffer.from(JSON.stringify(meta), 'utf8'),
    );
    this.#meta.set(meta.name, meta);
  }

  #isoNow(): string {
    return new Date(this.#now()).toISOString();
  }
}

function versionMeta(
  type: TransitKeyType,
  secret: Buffer,
  created: string,
): VersionMeta {
  return isKeyPairType(type)
    ? { created_at: created, public_key: publicKeyPem(secret) }
    : { created_at: created };
}

function checkName(name: string): void {
  if (!KEY_NAME.test(name)) {
    throw new MetacryptError('bad_request', 'name: not a valid key name');
  }
}
