// The base of the transit commands: one call to the typed route
// POST /v1/transit/<mount>/<operation>/<key>, with the caller's token.
import { ApiCommand } from './api-command.js';
import type { ServerFlagValues } from './api-command.js';
import type { ReplyContext } from './reply-fields.js';

/** TransitCall names the operation a command runs on which key. */
export interface TransitCall {
  readonly flags: ServerFlagValues & { readonly mount: string };
  readonly operation: string;
  readonly key: string;
  /** The operation's input, without `name` (the path names the key). */
  readonly body?: Readonly<Record<string, unknown>>;
}

/** TransitReply is the server's answer and where it came from. */
export interface TransitReply {
  readonly body: unknown;
  /** For reply-fields checks: the server and the route called. */
  readonly at: ReplyContext;
}

/** TransitCommand calls the typed transit routes. */
export abstract class TransitCommand extends ApiCommand {
  /**
   * transit runs one operation. The mount and key are path segments, so
   * each is encoded: a name with a `/` must reach the server as a bad
   * name, never as another route.
   */
  protected async transit(call: TransitCall): Promise<TransitReply> {
    const client = this.userClient(call.flags);
    const route =
      `/v1/transit/${encodeURIComponent(call.flags.mount)}` +
      `/${call.operation}/${encodeURIComponent(call.key)}`;
    const { body } = await client.call('POST', route, call.body ?? {});
    return { body, at: { addr: client.addr, route } };
  }
}
