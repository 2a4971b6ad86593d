// Batches: one result per item, in order, where an item that fails says
// why in its own place and the others still run.
import type { JsonObject, JsonValue } from '../../engine/json.js';
import { ERROR_CATALOGUE, MetacryptError } from '../../errors/index.js';
import { batchOf } from './input-fields.js';

/**
 * withBatch runs one(item) for each item of `batch_input` and answers
 * `{batch_results}`, or runs one(data) alone when there is no batch. An
 * item's fields fall back to the request's own (the key name, say).
 */
export function withBatch(
  data: JsonObject,
  one: (item: JsonObject) => JsonObject,
): JsonValue {
  const batch = batchOf(data);
  if (batch === null) return one(data);
  const shared: JsonObject = { ...data };
  delete shared.batch_input;
  return {
    batch_results: batch.map((item) => {
      try {
        return one({ ...shared, ...item });
      } catch (err) {
        return itemError(err);
      }
    }),
  };
}

// An unplanned failure in one item answers `internal error` in its place,
// without its message, as a whole request would.
function itemError(err: unknown): JsonObject {
  if (err instanceof MetacryptError && ERROR_CATALOGUE[err.code].expose) {
    return { error: err.message, code: err.code };
  }
  return { error: ERROR_CATALOGUE.internal.message, code: 'internal' };
}
