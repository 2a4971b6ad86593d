// The rules for barrier paths, list prefixes and data key ids, and which
// key id seals which path.
import { MOUNT_NAME, MOUNT_NAME_RULE } from '../engine/mount-name.js';
import { MetacryptError, quoteInput } from '../errors/index.js';

/** SYSTEM_KEY_ID names the DEK for everything under `sys/`. */
export const SYSTEM_KEY_ID = 'system';

/** MAX_PATH_LENGTH bounds a whole path, in characters. */
export const MAX_PATH_LENGTH = 512;

const MAX_SEGMENT_LENGTH = 128;
// Letters, digits, dot, underscore and dash: nothing that needs quoting in
// a URL, a shell or SQL, and no separator of any file system.
const SEGMENT = /^[A-Za-z0-9._-]+$/;
// The parts of sys/ that belong to the key worker itself.
const WORKER_OWNED = ['sys/mounts/'];

/**
 * checkPath returns path if it is a valid barrier path and throws
 * `invalid_path` naming the broken rule otherwise. Valid paths are
 * `sys/<segment>/...` or `engine/<mount>/<segment>/...`.
 */
export function checkPath(path: string): string {
  const segments = splitChecked(path, 'path');
  const [top, second] = segments;
  if (top === 'sys' && segments.length >= 2) return path;
  if (top === 'engine' && segments.length >= 3) {
    checkMountName(second ?? '', path);
    return path;
  }
  throw invalid(`${quoteInput(path)} is not under sys/ or engine/<mount>/`);
}

/**
 * checkPrefix returns prefix if it may be listed: empty (everything), or
 * whole segments ending in `/`, so `engine/a/` never matches `engine/ab/`.
 */
export function checkPrefix(prefix: string): string {
  if (prefix === '') return prefix;
  if (!prefix.endsWith('/')) {
    throw invalid(`prefix ${quoteInput(prefix)} must end with "/"`);
  }
  splitChecked(prefix.slice(0, -1), 'prefix');
  return prefix;
}

/**
 * checkKeyId returns keyId if it names a data key: `system` or
 * `engine/<mount>`.
 */
export function checkKeyId(keyId: string): string {
  if (keyId === SYSTEM_KEY_ID) return keyId;
  const match = /^engine\/(.*)$/.exec(keyId);
  if (match === null) {
    throw invalid(
      `key id ${quoteInput(keyId)} must be system or engine/<mount>`,
    );
  }
  checkMountName(match[1] ?? '', keyId);
  return keyId;
}

/**
 * keyIdForPath names the DEK that seals path: `engine/<mount>` for
 * everything under that mount, `system` for the rest. path must already
 * have passed checkPath.
 */
export function keyIdForPath(path: string): string {
  const [top, mount] = path.split('/');
  return top === 'engine' && mount !== undefined
    ? `engine/${mount}`
    : SYSTEM_KEY_ID;
}

/** prefixOfKey is the path prefix of every entry a data key seals. */
export function prefixOfKey(keyId: string): string {
  return keyId === SYSTEM_KEY_ID ? 'sys/' : `${keyId}/`;
}

function splitChecked(text: string, what: string): string[] {
  if (typeof text !== 'string' || text === '') {
    throw invalid(`${what} is empty`);
  }
  if (text.length > MAX_PATH_LENGTH) {
    throw invalid(`${what} is longer than ${MAX_PATH_LENGTH} characters`);
  }
  const segments = text.split('/');
  for (const segment of segments) {
    if (segment === '') {
      throw invalid(`${what} ${quoteInput(text)} has an empty segment`);
    }
    if (segment === '.' || segment === '..') {
      throw invalid(`${what} ${quoteInput(text)} has a "${segment}" segment`);
    }
    if (segment.length > MAX_SEGMENT_LENGTH) {
      throw invalid(
        `${what} ${quoteInput(text)} has a segment longer than ` +
          `${MAX_SEGMENT_LENGTH} characters`,
      );
    }
    if (!SEGMENT.test(segment)) {
      throw invalid(
        `${what} ${quoteInput(text)} may use only letters, digits, ".", "_" ` +
          `and "-" between slashes`,
      );
    }
  }
  return segments;
}

/**
 * checkMainThreadPath returns path if the main thread may read or write
 * it through the barrier ops: under `sys/`, outside the mount table.
 * Engine entries hold engine keys and are reached only by their cores;
 * the mount table is written only by the mount ops, which keep it and
 * the mounts' data keys in step.
 */
export function checkMainThreadPath(path: string): string {
  checkPath(path);
  if (
    !path.startsWith('sys/') ||
    WORKER_OWNED.some((p) => path.startsWith(p))
  ) {
    throw new MetacryptError(
      'forbidden',
      `key worker: ${quoteInput(path)} is not open to the main thread`,
    );
  }
  return path;
}

/**
 * checkMainThreadPrefix returns prefix if the main thread may list it:
 * `sys/` or below. Listing gives paths, never values.
 */
export function checkMainThreadPrefix(prefix: string): string {
  checkPrefix(prefix);
  if (!prefix.startsWith('sys/')) {
    throw new MetacryptError(
      'forbidden',
      `key worker: prefix ${quoteInput(prefix)} is not open to the main ` +
        'thread',
    );
  }
  return prefix;
}

function checkMountName(mount: string, whole: string): void {
  if (!MOUNT_NAME.test(mount)) {
    throw invalid(`${quoteInput(whole)}: ${MOUNT_NAME_RULE}`);
  }
}

function invalid(detail: string): MetacryptError {
  return new MetacryptError('invalid_path', `invalid path: ${detail}`);
}
