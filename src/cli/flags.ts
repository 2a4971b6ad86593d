// Flags several commands share, defined once so each reads the same and
// falls back to the same environment variable.
import { Flags } from '@oclif/core';

/** DEFAULT_ADDR is the server a command talks to when none is named. */
export const DEFAULT_ADDR = 'https://localhost:8443';

/** configFlag is --config: the configuration file, else the search order. */
export const configFlag = Flags.string({
  char: 'c',
  summary: 'Path to the configuration file.',
  helpValue: 'FILE',
  env: 'METACRYPT_CONFIG',
});

/** addrFlag is --addr: the server's base URL. */
export const addrFlag = Flags.string({
  char: 'a',
  summary: `The server's address (default ${DEFAULT_ADDR}).`,
  helpValue: 'URL',
  env: 'METACRYPT_ADDR',
});

/** caCertFlag is --ca-cert: a PEM file of CAs to trust for the server. */
export const caCertFlag = Flags.string({
  summary: "CA certificate (PEM) to verify the server's certificate.",
  helpValue: 'FILE',
  env: 'METACRYPT_CA_CERT',
});

/** tokenFlag is --token: the bearer token, else the one login stored. */
export const tokenFlag = Flags.string({
  summary: 'Bearer token (default: the one `metacrypt login` stored).',
  helpValue: 'TOKEN',
  env: 'METACRYPT_TOKEN',
});

/** passwordStdinFlag is --password-stdin: read a password from stdin. */
export const passwordStdinFlag = Flags.boolean({
  summary: 'Read the password from stdin (one line) instead of a prompt.',
  default: false,
});

/** serverFlags are the flags of every command that talks to a server. */
export const serverFlags = {
  addr: addrFlag,
  'ca-cert': caCertFlag,
};

/** userFlags add the token to serverFlags, for commands that need one. */
export const userFlags = {
  ...serverFlags,
  token: tokenFlag,
};
