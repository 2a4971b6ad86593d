// The transit engine's core, in the key worker: its named keys and every
// operation on them. The main thread never imports this file; it passes
// its URL to the key worker (src/engine/builtin-engines.ts).
import type {
  EngineCore,
  EngineInstance,
  MountContext,
} from '../../engine/engine-core.js';
import type { JsonValue } from '../../engine/json.js';
import { MetacryptError, quoteInput } from '../../errors/index.js';
import { CRYPTO_OPERATIONS } from './crypto-operations.js';
import { objectOf } from './input-fields.js';
import { KEY_OPERATIONS } from './key-operations.js';
import { TransitKeyring } from './transit-keyring.js';

const OPERATIONS = { ...KEY_OPERATIONS, ...CRYPTO_OPERATIONS };

function open(context: MountContext): EngineInstance {
  const keys = new TransitKeyring(context.storage, context.keys, context.now);
  return {
    handle(operation: string, data: JsonValue): JsonValue {
      const run = Object.hasOwn(OPERATIONS, operation)
        ? OPERATIONS[operation]
        : undefined;
      if (run === undefined) {
        throw new MetacryptError(
          'not_found',
          `transit has no operation ${quoteInput(operation)}`,
        );
      }
      return run(keys, objectOf(data));
    },
    close(): void {
      keys.close();
    },
  };
}

/** engineCore is the transit engine's core. */
export const engineCore: EngineCore = { type: 'transit', open };
