// The long reliability runs, in the order docs/RELIABILITY.md lists them.
// Each part adds itself here; `npm run test:reliability` runs them all.
import { ABUSE_PART } from './abuse-long.js';
import type { LongPart } from './long-part.js';
import { SECRETS_PART } from './secrets-long.js';

/** LONG_PARTS are every long run, in report order. */
export const LONG_PARTS: readonly LongPart[] = [ABUSE_PART, SECRETS_PART];
