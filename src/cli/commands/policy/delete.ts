// `metacrypt policy delete`: removes one policy rule.
import { Args } from '@oclif/core';

import { ApiCommand } from '../../api-command.js';
import { userFlags } from '../../flags.js';

/** PolicyDeleteResult is what `policy delete --json` prints. */
export interface PolicyDeleteResult {
  readonly id: string;
  readonly deleted: true;
}

/** PolicyDelete deletes a policy rule. */
export class PolicyDelete extends ApiCommand {
  static override summary = 'Delete a policy rule (admin).';

  static override description =
    'Deletes the rule with this id. Requests it allowed are refused from ' +
    'the next one on, unless another rule allows them. Needs an admin ' +
    'token.';

  static override examples = [
    '<%= config.bin %> <%= command.id %> alice-encrypt',
    'METACRYPT_TOKEN=$ADMIN_TOKEN <%= config.bin %> <%= command.id %> users-read --json',
  ];

  static override args = {
    id: Args.string({ description: 'The rule id.', required: true }),
  };

  static override flags = { ...userFlags };

  async run(): Promise<PolicyDeleteResult> {
    const { args, flags } = await this.parse(PolicyDelete);
    const client = this.userClient(flags);

    await client.call(
      'DELETE',
      `/v1/policy/rule/${encodeURIComponent(args.id)}`,
    );

    this.log(`Deleted policy rule ${args.id}.`);
    return { id: args.id, deleted: true };
  }
}
