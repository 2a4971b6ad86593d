// The caller's identity as Metacrypt uses it: who, with which roles,
// whether an admin, and until when.
import type { TokenInfo } from './mcias-client.js';

/** ADMIN_ROLE is the MCIAS role that makes a Metacrypt admin. */
export const ADMIN_ROLE = 'admin';

/** Identity is an authenticated caller. */
export interface Identity {
  readonly username: string;
  /** MCIAS's stable subject id. */
  readonly sub: string;
  readonly roles: readonly string[];
  readonly isAdmin: boolean;
  /** When the token expires; the identity is not valid after it. */
  readonly expiresAt: Date;
}

/**
 * identityOf builds the identity MCIAS describes. Roles compare without
 * regard to case, as policy rules compare them (DESIGN.md §7), so `Admin`
 * is the admin role too. The result is frozen: one cached identity is
 * shared by every request that carries the same token.
 */
export function identityOf(info: TokenInfo): Identity {
  const roles = Object.freeze([...info.roles]);
  return Object.freeze({
    username: info.username,
    sub: info.sub,
    roles,
    isAdmin: roles.some((role) => role.toLowerCase() === ADMIN_ROLE),
    expiresAt: new Date(info.expiresAt.getTime()),
  });
}
