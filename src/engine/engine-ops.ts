// The main-thread half of the engine contract: what an engine's ops.ts
// declares about each operation, so requests are checked and authorized
// before anything reaches the key worker.
import type { z } from 'zod';

import type { RequestAction } from '../policy/index.js';

/** OperationSpec describes one operation an engine offers. */
export interface OperationSpec {
  /** summary says what the operation does, in one line. */
  readonly summary: string;
  /** input checks (and normalizes) the request's `data`. */
  readonly input: z.ZodType;
  /** action is what a policy rule must allow on the operation. */
  readonly action: RequestAction;
  /** adminOnly operations are never granted by a policy rule. */
  readonly adminOnly: boolean;
}

/** EngineOps is what an engine's ops.ts exports as `engineOps`. */
export interface EngineOps {
  /** type names the engine in mounts and in the registry. */
  readonly type: string;
  readonly summary: string;
  /** config checks (and fills in defaults of) a mount's configuration. */
  readonly config: z.ZodType;
  readonly operations: Readonly<Record<string, OperationSpec>>;
}
