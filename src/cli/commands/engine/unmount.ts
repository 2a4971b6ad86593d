// `metacrypt engine unmount`: removes a mount and everything stored under
// it, for good.
import { Args } from '@oclif/core';

import { ApiCommand } from '../../api-command.js';
import { userFlags } from '../../flags.js';
import { replyNumber, replyString } from '../../reply-fields.js';

/** EngineUnmountResult is what `engine unmount --json` prints. */
export interface EngineUnmountResult {
  readonly name: string;
  readonly entries_deleted: number;
}

/** EngineUnmount removes a mount. */
export class EngineUnmount extends ApiCommand {
  static override summary = 'Unmount an engine and delete its data (admin).';

  static override description =
    'Removes the mount, deletes everything stored under it and destroys ' +
    'its data key. There is no undo: values encrypted with its keys can ' +
    'never be decrypted again. Needs an admin token.';

  static override examples = [
    '<%= config.bin %> <%= command.id %> notes',
    '<%= config.bin %> <%= command.id %> transit-old --json',
  ];

  static override args = {
    name: Args.string({ description: 'The mount name.', required: true }),
  };

  static override flags = { ...userFlags };

  async run(): Promise<EngineUnmountResult> {
    const { args, flags } = await this.parse(EngineUnmount);
    const client = this.userClient(flags);

    const route = '/v1/engine/unmount';
    const { body } = await client.call('POST', route, { name: args.name });
    const at = { addr: client.addr, route };
    const result: EngineUnmountResult = {
      name: replyString(body, 'name', at),
      entries_deleted: replyNumber(body, 'entries_deleted', at),
    };

    this.log(
      `Unmounted ${result.name}; ${String(result.entries_deleted)} ` +
        `stored ${result.entries_deleted === 1 ? 'entry' : 'entries'} deleted.`,
    );
    return result;
  }
}
