// `metacrypt transit create-key`: a new named key on a transit mount.
import { Flags } from '@oclif/core';

import {
  DEFAULT_KEY_TYPE,
  TRANSIT_KEY_TYPES,
} from '../../../engines/transit/key-type-names.js';
import { userFlags } from '../../flags.js';
import { replyNumber, replyObject, replyString } from '../../reply-fields.js';
import type { ReplyObject } from '../../reply-fields.js';
import { TransitCommand } from '../../transit-command.js';
import { keyArg, mountFlag } from '../../transit-flags.js';

/** TransitCreateKey creates a transit key. */
export class TransitCreateKey extends TransitCommand {
  static override summary = 'Create a transit key (admin).';

  static override description =
    'Creates a named key of a type: aes256-gcm or chacha20-poly1305 ' +
    'encrypt, ed25519 and ecdsa-p256/p384 sign, hmac-sha256/512 make ' +
    'HMACs. A key does only what its type is for. --exportable lets an ' +
    'admin export the key material later, and can never be undone; ' +
    '--deletion-allowed lets the key be deleted. With --json, prints the ' +
    'key as the server describes it. Needs an admin token.';

  static override examples = [
    '<%= config.bin %> <%= command.id %> orders',
    '<%= config.bin %> <%= command.id %> releases --type ed25519 --mount transit --json',
  ];

  static override args = { ...keyArg };

  static override flags = {
    ...userFlags,
    mount: mountFlag,
    type: Flags.string({
      char: 't',
      summary: `The key type (default ${DEFAULT_KEY_TYPE}).`,
      options: [...TRANSIT_KEY_TYPES],
    }),
    exportable: Flags.boolean({
      summary: 'Allow the key material to be exported (cannot be undone).',
      default: false,
    }),
    'deletion-allowed': Flags.boolean({
      summary: 'Allow the key to be deleted.',
      default: false,
    }),
  };

  async run(): Promise<ReplyObject> {
    const { args, flags } = await this.parse(TransitCreateKey);

    // Only what was asked is sent, so the server's defaults apply.
    const { body, at } = await this.transit({
      flags,
      operation: 'create-key',
      key: args.name,
      body: {
        ...(flags.type === undefined ? {} : { type: flags.type }),
        ...(flags.exportable ? { exportable: true } : {}),
        ...(flags['deletion-allowed'] ? { deletion_allowed: true } : {}),
      },
    });
    const name = replyString(body, 'name', at);
    const type = replyString(body, 'type', at);
    const version = replyNumber(body, 'latest_version', at);

    this.log(
      `Created key ${name} (${type}, version ${String(version)}) ` +
        `on mount ${flags.mount}.`,
    );
    return replyObject(body, at);
  }
}
