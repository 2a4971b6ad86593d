// The engine registry: each engine type's operation catalogue (main
// thread) and the URL of its core (key worker), side by side.
import type { EngineModule } from '../keyworker/index.js';
import { MetacryptError, quoteInput } from '../errors/index.js';
import type { EngineOps, OperationSpec } from './engine-ops.js';

/**
 * EngineDefinition joins the two halves of an engine. coreModule is the
 * file URL of its compiled core.js: the main thread hands it to the key
 * worker and never imports it.
 */
export interface EngineDefinition {
  readonly ops: EngineOps;
  readonly coreModule: string;
}

/** EngineTypeInfo describes an engine type to API clients. */
export interface EngineTypeInfo {
  readonly type: string;
  readonly summary: string;
  readonly operations: readonly {
    readonly name: string;
    readonly summary: string;
    readonly action: string;
    readonly admin_only: boolean;
  }[];
}

/** EngineRegistry maps engine type names to their definitions. */
export class EngineRegistry {
  readonly #engines = new Map<string, EngineDefinition>();

  constructor(definitions: readonly EngineDefinition[] = []) {
    for (const definition of definitions) this.register(definition);
  }

  /** register adds an engine type; a type may be registered once. */
  register(definition: EngineDefinition): void {
    const { type } = definition.ops;
    if (this.#engines.has(type)) {
      throw new MetacryptError(
        'internal',
        `engine type ${quoteInput(type)} is registered twice`,
      );
    }
    this.#engines.set(type, definition);
  }

  /** ops returns the catalogue of type, or undefined for an unknown one. */
  ops(type: string): EngineOps | undefined {
    return this.#engines.get(type)?.ops;
  }

  /** operation returns one operation of type, or undefined. */
  operation(type: string, name: string): OperationSpec | undefined {
    const operations = this.ops(type)?.operations;
    return operations !== undefined && Object.hasOwn(operations, name)
      ? operations[name]
      : undefined;
  }

  /** types lists the registered type names, sorted. */
  types(): string[] {
    return [...this.#engines.keys()].sort();
  }

  /** describe lists every type with its operations, for the API. */
  describe(): EngineTypeInfo[] {
    return this.types().map((type) => {
      const ops = this.#engines.get(type)?.ops;
      return {
        type,
        summary: ops?.summary ?? '',
        operations: Object.entries(ops?.operations ?? {}).map(
          ([name, spec]) => ({
            name,
            summary: spec.summary,
            action: spec.action,
            admin_only: spec.adminOnly,
          }),
        ),
      };
    });
  }

  /** workerModules lists the cores for the key worker to load. */
  workerModules(): EngineModule[] {
    return [...this.#engines.values()].map((d) => ({
      type: d.ops.type,
      module: d.coreModule,
    }));
  }
}
