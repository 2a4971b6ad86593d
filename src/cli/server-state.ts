// Reads a server's seal state, and a state out of a reply, for the
// commands that check where a vault stands before asking for a password.
import { MetacryptError } from '../errors/index.js';
import type { ApiClient } from './api-client.js';

/**
 * stateIn returns the `state` field of a reply to path, or throws
 * `cli_reply` when there is none: the server is not Metacrypt, or not
 * the version this command knows.
 */
export function stateIn(
  client: ApiClient,
  path: string,
  body: unknown,
): string {
  const state =
    typeof body === 'object' && body !== null
      ? (body as { state?: unknown }).state
      : undefined;
  if (typeof state !== 'string') {
    throw new MetacryptError(
      'cli_reply',
      `${client.addr} answered ${path} without a state`,
    );
  }
  return state;
}

/** serverState asks GET /v1/status for the vault's seal state. */
export async function serverState(client: ApiClient): Promise<string> {
  const { body } = await client.call('GET', '/v1/status');
  return stateIn(client, '/v1/status', body);
}

/**
 * requireUnsealed refuses, before any password is asked for, what the
 * server's seal gate would refuse anyway: `not_initialized` before init,
 * `sealed` in every other state but unsealed. Both carry the server's own
 * messages.
 */
export async function requireUnsealed(client: ApiClient): Promise<void> {
  const state = await serverState(client);
  if (state === 'uninitialized') throw new MetacryptError('not_initialized');
  if (state !== 'unsealed') throw new MetacryptError('sealed');
}
