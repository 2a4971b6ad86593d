// The engine types this build ships. Each entry pairs an engine's ops.ts
// with the URL of its core.js, which only the key worker imports.
import { TRANSIT_ENGINE } from '../engines/transit/ops.js';
import type { EngineDefinition } from './registry.js';

/** BUILTIN_ENGINES are registered by every server. */
export const BUILTIN_ENGINES: readonly EngineDefinition[] = [TRANSIT_ENGINE];
