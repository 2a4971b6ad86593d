// `metacrypt login`: trades a username and password (and a TOTP code) for
// a token, and keeps it for later commands, or prints it with --print.
import { resolve } from 'node:path';

import { Flags } from '@oclif/core';

import { ApiCommand } from '../api-command.js';
import { passwordStdinFlag, serverFlags } from '../flags.js';
import { PasswordSource } from '../password-source.js';
import { replyString } from '../reply-fields.js';
import { writeToken } from '../token-file.js';
import { promptVisible } from '../visible-prompt.js';

/** LoginResult is what `login --json` prints. */
export interface LoginResult {
  readonly username: string;
  readonly expires_at: string;
  /** Where the token was stored; null with --print, which stores none. */
  readonly token_file: string | null;
  /** The token itself, only with --print. */
  readonly token?: string;
}

/** Login logs in through the server and stores the token. */
export class Login extends ApiCommand {
  static override summary = 'Log in and keep the token for later commands.';

  static override description =
    'Sends the username and password (and a TOTP code, for accounts ' +
    'that need one) to the server, which asks MCIAS. The username comes ' +
    'from --username, else a prompt; the password from a prompt that ' +
    'echoes nothing, or with --password-stdin one line of stdin. The ' +
    'token is stored in <config dir>/token.json (mode 0600), where later ' +
    'commands find it. With --print the token is printed on stdout ' +
    'instead, and nothing is stored.';

  static override examples = [
    '<%= config.bin %> <%= command.id %> --username alice ' +
      '--addr https://metacrypt.example.com:8443',
    `printf '%s\\n' "$PASSWORD" | <%= config.bin %> <%= command.id %> ` +
      '--username alice --password-stdin',
    'export METACRYPT_TOKEN=$(<%= config.bin %> <%= command.id %> --username alice --print)',
  ];

  static override flags = {
    ...serverFlags,
    username: Flags.string({
      char: 'u',
      summary: 'The MCIAS username (default: ask on the terminal).',
      helpValue: 'NAME',
    }),
    totp: Flags.string({
      summary: 'The current TOTP code, for accounts that need one.',
      helpValue: 'CODE',
    }),
    'password-stdin': passwordStdinFlag,
    print: Flags.boolean({
      summary: 'Print the token on stdout and store nothing.',
      default: false,
    }),
  };

  async run(): Promise<LoginResult> {
    const { flags } = await this.parse(Login);
    const client = this.anonymousClient(flags);

    // Step 1: the credentials, username first, as a person expects.
    const username =
      flags.username ?? (await promptVisible('Username', 'username'));
    const password = await new PasswordSource(flags['password-stdin']).next({
      prompt: 'Password',
    });

    // Step 2: the login.
    const route = '/v1/auth/login';
    const { body } = await client.call('POST', route, {
      username,
      password,
      ...(flags.totp === undefined ? {} : { totp_code: flags.totp }),
    });
    const at = { addr: client.addr, route };
    const token = replyString(body, 'token', at);
    const expiresAt = replyString(body, 'expires_at', at);

    // Step 3: print it, or store it. Only --print ever shows the token.
    if (flags.print) {
      this.log(token);
      return { username, expires_at: expiresAt, token_file: null, token };
    }
    const path = writeToken(this.config.configDir, {
      addr: client.addr,
      token,
      expires_at: expiresAt,
      ...(flags['ca-cert'] === undefined
        ? {}
        : { ca_cert: resolve(flags['ca-cert']) }),
    });
    this.log(`Logged in to ${client.addr} as ${username}.`);
    this.log(`The token is stored in ${path} until ${expiresAt}.`);
    return { username, expires_at: expiresAt, token_file: path };
  }
}
