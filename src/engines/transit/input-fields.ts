// Reading fields of an operation's input in the key worker. The main
// thread checked the input against its schema; these checks stand again
// because a message is only as typed as its sender.
import type { JsonObject, JsonValue } from '../../engine/json.js';
import { isJsonObject } from '../../engine/json.js';
import { MetacryptError } from '../../errors/index.js';

/** objectOf returns data as an object, or throws `bad_request`. */
export function objectOf(data: JsonValue): JsonObject {
  if (!isJsonObject(data)) {
    throw new MetacryptError('bad_request', 'data: must be an object');
  }
  return data;
}

/** text returns a required string field. */
export function text(data: JsonObject, field: string): string {
  const value = data[field];
  if (typeof value !== 'string') {
    throw new MetacryptError('bad_request', `${field}: is required`);
  }
  return value;
}

/** optionalText returns a string field, or undefined when absent. */
export function optionalText(
  data: JsonObject,
  field: string,
): string | undefined {
  const value = data[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') {
    throw new MetacryptError('bad_request', `${field}: must be a string`);
  }
  return value;
}

/** optionalInt returns a whole-number field, or undefined when absent. */
export function optionalInt(
  data: JsonObject,
  field: string,
): number | undefined {
  const value = data[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new MetacryptError('bad_request', `${field}: must be a whole number`);
  }
  return value;
}

/** optionalBool returns a boolean field, or undefined when absent. */
export function optionalBool(
  data: JsonObject,
  field: string,
): boolean | undefined {
  const value = data[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') {
    throw new MetacryptError('bad_request', `${field}: must be true or false`);
  }
  return value;
}

/** batchOf returns the batch_input items, or null for a single request. */
export function batchOf(data: JsonObject): JsonObject[] | null {
  const batch = data.batch_input;
  if (batch === undefined || batch === null) return null;
  if (!Array.isArray(batch) || !batch.every(isJsonObject)) {
    throw new MetacryptError(
      'bad_request',
      'batch_input: must be a list of objects',
    );
  }
  return batch;
}
