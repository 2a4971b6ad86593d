// The tampering cases, barrier rows first, then the seal configuration:
// what tamper.test.ts and the long part `tamper` run.
import { BARRIER_CASES } from './tamper-barrier-cases.js';
import type { TamperCase } from './tamper-probes.js';
import { SEAL_CASES } from './tamper-seal-cases.js';

/** TAMPER_CASES are every case, barrier rows first. */
export const TAMPER_CASES: readonly TamperCase[] = [
  ...BARRIER_CASES,
  ...SEAL_CASES,
];
