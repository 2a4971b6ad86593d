// Flags several commands share, defined once so each reads the same.
import { Flags } from '@oclif/core';

/** configFlag is --config: the configuration file, else the search order. */
export const configFlag = Flags.string({
  char: 'c',
  summary: 'Path to the configuration file.',
  helpValue: 'FILE',
});
