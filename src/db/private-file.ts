// Creates the files that hold vault data (the database, its snapshots)
// with mode 0600 exactly, whatever the process umask.
import { closeSync, constants, fchmodSync, openSync, rmSync } from 'node:fs';

/** FILE_MODE is the mode of every file holding vault data: owner only. */
export const FILE_MODE = 0o600;

/**
 * createPrivateFile creates an empty file at path with mode 0600 and fails
 * with the file system's own error (EEXIST included) if it cannot.
 *
 * The mode given to open(2) is filtered through the umask. A umask can only
 * remove bits, but it can remove the owner's own: 0277 would leave 0400, a
 * file the server cannot write. The fchmod makes the mode exact. Nothing is
 * written between the two calls, so the file holds no data while its mode
 * is not yet final.
 */
export function createPrivateFile(path: string): void {
  const fd = openSync(
    path,
    constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL,
    FILE_MODE,
  );
  try {
    fchmodSync(fd, FILE_MODE);
  } catch (err) {
    // The name is ours (O_EXCL), so removing it removes nothing of anyone
    // else's.
    rmSync(path, { force: true });
    throw err;
  } finally {
    closeSync(fd);
  }
}
