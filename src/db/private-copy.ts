// Copies a database file into a private scratch directory for work that
// must not touch the original, and removes the directory afterwards.
import {
  chmodSync,
  constants,
  copyFileSync,
  mkdtempSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { FILE_MODE } from './private-file.js';
import { stepError } from './step-error.js';

/** COPY_NAME is the name the copy has inside its scratch directory. */
export const COPY_NAME = 'copy.db';

/**
 * withPrivateCopy copies the file at path to a new directory of its own
 * (mode 0700, under the system's temporary directory), runs use on the
 * copy's path, and removes the directory and everything SQLite or the key
 * worker left in it, however use ends. The original is only ever read.
 *
 * It throws DatabaseError `db_open` (`db: copy: <reason> (<path>)`) when
 * the file cannot be copied.
 */
export async function withPrivateCopy<T>(
  path: string,
  use: (copy: string) => T | Promise<T>,
): Promise<T> {
  // mkdtemp creates the directory with mode 0700, whatever the umask
  // allows beyond that, so no other user can read the copy meanwhile.
  const dir = mkdtempSync(join(tmpdir(), 'metacrypt-copy-'));
  try {
    const copy = join(dir, COPY_NAME);
    try {
      copyFileSync(path, copy, constants.COPYFILE_EXCL);
      chmodSync(copy, FILE_MODE);
    } catch (err) {
      throw stepError('db_open', 'copy', err, path);
    }
    return await use(copy);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
