// What a mount name may be: shared by the API's input checks on the main
// thread and the barrier's path rules in the key worker.

/**
 * MOUNT_NAME matches a mount name: 1 to 64 letters, digits, `_` or `-`,
 * starting with a letter or digit. No dot, so `engine/<mount>` is never
 * confused with a relative path, and nothing that needs quoting in a URL.
 */
export const MOUNT_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** MOUNT_NAME_RULE says the rule in words, for error messages. */
export const MOUNT_NAME_RULE =
  'a mount name is 1 to 64 letters, digits, "_" or "-", starting with a ' +
  'letter or digit';

/** isMountName tells whether name may name a mount. */
export function isMountName(name: unknown): name is string {
  return typeof name === 'string' && MOUNT_NAME.test(name);
}
