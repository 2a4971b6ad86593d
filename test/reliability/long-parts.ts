// The long reliability runs, in the order docs/RELIABILITY.md lists them.
// Each part adds itself here; `npm run test:reliability` runs them all.
import { ABUSE_PART } from './abuse-long.js';
import { CRASH_PART } from './crash-long.js';
import { FUZZ_PART } from './fuzz-long.js';
import type { LongPart } from './long-part.js';
import { SEAL_LOAD_PART } from './seal-load-long.js';
import { SECRETS_PART } from './secrets-long.js';
import { SOAK_PART } from './soak-long.js';
import { TAMPER_PART } from './tamper-long.js';
import { TRANSPORT_PART } from './transport-long.js';

/** LONG_PARTS are every long run, in report order. */
export const LONG_PARTS: readonly LongPart[] = [
  CRASH_PART,
  SOAK_PART,
  FUZZ_PART,
  TAMPER_PART,
  ABUSE_PART,
  TRANSPORT_PART,
  SEAL_LOAD_PART,
  SECRETS_PART,
];
