// A transit mount in process for tests: a real seal state machine on a
// temporary SQLite file, the engine host, and transit's core, so the
// crypto can be checked without HTTP in the way.
import { engineCore } from '../../../src/engines/transit/core.js';
import type { JsonObject, JsonValue } from '../../../src/engine/json.js';
import { EngineHost } from '../../../src/keyworker/engine-host.js';
import { makeTempDir, removeDir } from '../../db/scratch.js';
import { bytes, openVault, PASSWORD } from '../../keyworker/vault-scratch.js';
import type { Vault } from '../../keyworker/vault-scratch.js';

/** Transit is an unsealed vault with a transit mount named `t`. */
export interface Transit {
  readonly vault: Vault;
  readonly host: EngineHost;
  /** run calls a transit operation on mount `t` as an admin. */
  run(operation: string, data?: JsonObject): JsonObject;
  close(): Promise<void>;
}

/** openTransit makes a vault, initializes it and mounts transit at `t`. */
export async function openTransit(): Promise<Transit> {
  const dir = makeTempDir();
  const vault = openVault(dir);
  const host = new EngineHost(
    vault.machine,
    new Map([['transit', engineCore]]),
  );
  await vault.machine.init(bytes(PASSWORD));
  host.mount('t', 'transit', {});
  return {
    vault,
    host,
    run(operation, data = {}): JsonObject {
      return host.request('t', operation, data, {
        username: 'admin',
        isAdmin: true,
      }) as JsonObject;
    },
    async close(): Promise<void> {
      await vault.close();
      removeDir(dir);
    },
  };
}

/** b64 encodes text as base64. */
export function b64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

/** str reads a string field of a reply. */
export function str(reply: JsonValue, field: string): string {
  const value = (reply as JsonObject)[field];
  if (typeof value !== 'string') throw new Error(`no string ${field}`);
  return value;
}
