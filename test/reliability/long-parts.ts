// The long reliability runs, in the order docs/RELIABILITY.md lists them.
// Each part adds itself here; `npm run test:reliability` runs them all.
import { FUZZ_PART } from './fuzz-long.js';
import type { LongPart } from './long-part.js';
import { TRANSPORT_PART } from './transport-long.js';

/** LONG_PARTS are every long run, in report order. */
export const LONG_PARTS: readonly LongPart[] = [FUZZ_PART, TRANSPORT_PART];
