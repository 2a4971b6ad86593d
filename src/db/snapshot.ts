// Writes a consistent, compacted copy of the live database to a new file
// with mode 0600, never overwriting an existing one.
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  constants,
  fstatSync,
  fsyncSync,
  linkSync,
  lstatSync,
  openSync,
  rmSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

import type { Database } from 'better-sqlite3';

import { DatabaseError, errnoCode } from '../errors/index.js';
import { createPrivateFile } from './private-file.js';
import { stepError } from './step-error.js';

/** SnapshotResult describes the file snapshot wrote. */
export interface SnapshotResult {
  /** The absolute path of the snapshot. */
  readonly path: string;
  /** Its size in bytes. */
  readonly bytes: number;
}

/**
 * snapshot copies the database behind db to outputPath with VACUUM INTO.
 * The copy is a consistent view of the database (VACUUM INTO reads inside
 * one read transaction, and under WAL writers carry on meanwhile), holds
 * no deleted content, and is a single file with mode 0600.
 *
 * It throws DatabaseError `db_snapshot`: `db: snapshot: <path> already
 * exists` when outputPath exists, which is never overwritten, or
 * `db: snapshot: <reason> (<path>)` when the copy cannot be made.
 *
 * How the file comes to be: SQLite would create the output itself with
 * mode 0644 less the umask, and the umask cannot be changed safely in a
 * threaded process. But VACUUM INTO also accepts an empty existing file, so
 * a temporary file is created empty with mode 0600 first, in the target's
 * directory, and filled, synced, then hard-linked to the final name. link(2)
 * fails if the name exists, which settles a race between two snapshots to
 * the same path, and the final name only ever shows a complete copy.
 */
export function snapshot(db: Database, outputPath: string): SnapshotResult {
  const path = resolve(outputPath);

  // Step 1: refuse an existing target before spending a VACUUM on it. The
  // link in step 4 is what guarantees it; this only fails early.
  if (exists(path)) throw alreadyExists(path);

  // Step 2: claim an empty owner-only file under an unused name.
  const temp = join(
    dirname(path),
    `.${basename(path)}.${randomBytes(8).toString('hex')}.tmp`,
  );
  try {
    createPrivateFile(temp);
  } catch (err) {
    throw stepError('db_snapshot', 'snapshot', err, path);
  }

  try {
    // Step 3: copy and sync. The path is absolute, so SQLite cannot read
    // it as a URI, and it goes in as a parameter, so no quoting is needed.
    db.prepare('VACUUM INTO ?').run(temp);
    const bytes = syncFile(temp);

    // Step 4: publish under the final name, never over an existing file.
    linkSync(temp, path);
    return { path, bytes };
  } catch (err) {
    if (errnoCode(err) === 'EEXIST') throw alreadyExists(path);
    throw stepError('db_snapshot', 'snapshot', err, path);
  } finally {
    // Step 5: drop the temporary name, and make the directory change
    // durable along with the new name.
    removeQuietly(temp);
    syncDirectory(dirname(path));
  }
}

function exists(path: string): boolean {
  try {
    // lstat, so that even a dangling symbolic link counts as existing.
    lstatSync(path);
    return true;
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return false;
    throw stepError('db_snapshot', 'snapshot', err, path);
  }
}

// Flushes the file to stable storage and returns its size, so that the
// copy's durability does not rest on how a given SQLite release treats
// the output of VACUUM INTO.
function syncFile(path: string): number {
  const fd = openSync(path, constants.O_RDONLY);
  try {
    fsyncSync(fd);
    return fstatSync(fd).size;
  } finally {
    closeSync(fd);
  }
}

// Best effort: a directory cannot be opened for syncing on every platform,
// and by now the snapshot itself is complete and synced.
function syncDirectory(directory: string): void {
  try {
    const fd = openSync(directory, constants.O_RDONLY);
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Nothing to do: see above.
  }
}

// Removing the temporary name can only fail in ways (the directory made
// read-only meanwhile) that must not hide the outcome of the snapshot; the
// leftover is an owner-only file with a recognizable .tmp name.
function removeQuietly(path: string): void {
  try {
    rmSync(path, { force: true });
  } catch {
    // Nothing to do: see above.
  }
}

function alreadyExists(path: string): DatabaseError {
  return new DatabaseError('db_snapshot', `snapshot: ${path} already exists`);
}
