// Turns a failed file-system call into a few plain words for a message, so
// config and db errors describe the same cause the same way.

// The causes an operator can act on get plain words; any other errno is
// shown as its lowercased code, which is still searchable.
const ERRNO_REASONS: Readonly<Record<string, string>> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOENT: 'no such file or directory',
  ENOTDIR: 'not a directory',
  EISDIR: 'is a directory',
  EADDRINUSE: 'address already in use',
  EADDRNOTAVAIL: 'address not available on this host',
};

/**
 * errnoCode returns the errno name (`ENOENT`) of a failed Node.js
 * file-system call, or undefined for any other value.
 */
export function errnoCode(err: unknown): string | undefined {
  if (!(err instanceof Error) || !('code' in err)) return undefined;
  return typeof err.code === 'string' ? err.code : undefined;
}

/**
 * errnoReason describes a failed file-system call in lowercase words, or
 * returns undefined when err carries no errno. Only the code is read,
 * never the error's message, which may quote paths or contents.
 */
export function errnoReason(err: unknown): string | undefined {
  const code = errnoCode(err);
  if (code === undefined) return undefined;
  return ERRNO_REASONS[code] ?? code.toLowerCase();
}
