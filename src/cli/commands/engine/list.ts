// `metacrypt engine list`: the mounts of a server, as a table or as the
// server's JSON.
import { ApiCommand } from '../../api-command.js';
import { userFlags } from '../../flags.js';
import { replyList, replyObject } from '../../reply-fields.js';
import type { ReplyObject } from '../../reply-fields.js';
import { cellText, formatTable } from '../../text-table.js';

/** MountEntry is one mount as GET /v1/engine/mounts lists it. */
export interface MountEntry {
  readonly name: string;
  readonly type: string;
  readonly config: unknown;
  readonly created_at: string;
}

/** EngineListResult is what `engine list --json` prints: the reply. */
export interface EngineListResult {
  readonly mounts: readonly MountEntry[];
}

/** EngineList lists the mounts. */
export class EngineList extends ApiCommand {
  static override summary = 'List the mounted engines.';

  static override description =
    'Prints one line per mount: its name, engine type, when it was ' +
    'mounted and its configuration. With --json, prints the reply of ' +
    'GET /v1/engine/mounts as it came. Any valid token may list.';

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    'METACRYPT_TOKEN=$TOKEN <%= config.bin %> <%= command.id %> --json',
  ];

  static override flags = { ...userFlags };

  async run(): Promise<EngineListResult> {
    const { flags } = await this.parse(EngineList);
    const client = this.userClient(flags);

    const route = '/v1/engine/mounts';
    const { body } = await client.call('GET', route);
    const at = { addr: client.addr, route };
    // --json prints the mounts as the server gave them; the table only
    // needs each to be an object.
    const mounts = replyList(body, 'mounts', at).map((entry) =>
      replyObject(entry, at),
    );

    if (mounts.length === 0) this.log('No engines are mounted.');
    else for (const line of mountTable(mounts)) this.log(line);
    return { mounts: mounts as unknown as MountEntry[] };
  }
}

/** mountTable lays the mounts out; an empty configuration shows as -. */
function mountTable(mounts: readonly ReplyObject[]): string[] {
  return formatTable(
    ['NAME', 'TYPE', 'MOUNTED', 'CONFIG'],
    mounts.map((m) => [
      cellText(m.name),
      cellText(m.type),
      cellText(m.created_at),
      cellText(m.config),
    ]),
  );
}
