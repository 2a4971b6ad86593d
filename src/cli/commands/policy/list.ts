// `metacrypt policy list`: the policy rules, in the order they are tried.
import { ApiCommand } from '../../api-command.js';
import { userFlags } from '../../flags.js';
import { replyList, replyObject } from '../../reply-fields.js';
import type { ReplyObject } from '../../reply-fields.js';
import { cellText, formatTable } from '../../text-table.js';

/** PolicyRuleEntry is one rule as the server lists it. */
export interface PolicyRuleEntry {
  readonly id: string;
  readonly priority: number;
  readonly effect: string;
  readonly usernames: readonly string[];
  readonly roles: readonly string[];
  readonly resources: readonly string[];
  readonly actions: readonly string[];
}

/** PolicyListResult is what `policy list --json` prints: the reply. */
export interface PolicyListResult {
  readonly rules: readonly PolicyRuleEntry[];
}

const HEADERS = [
  'ID',
  'PRIORITY',
  'EFFECT',
  'USERNAMES',
  'ROLES',
  'RESOURCES',
  'ACTIONS',
];

/** PolicyList lists the policy rules. */
export class PolicyList extends ApiCommand {
  static override summary = 'List the policy rules (admin).';

  static override description =
    'Prints one line per rule, in the order the server tries them (by ' +
    'priority, then id). A `-` is an empty list, which matches ' +
    'everything. With --json, prints the reply of GET /v1/policy/rules. ' +
    'Needs an admin token.';

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    'METACRYPT_TOKEN=$ADMIN_TOKEN <%= config.bin %> <%= command.id %> --json',
  ];

  static override flags = { ...userFlags };

  async run(): Promise<PolicyListResult> {
    const { flags } = await this.parse(PolicyList);
    const client = this.userClient(flags);

    const route = '/v1/policy/rules';
    const { body } = await client.call('GET', route);
    const at = { addr: client.addr, route };
    const rules = replyList(body, 'rules', at).map((entry) =>
      replyObject(entry, at),
    );

    if (rules.length === 0) this.log('No policy rules.');
    else
      for (const line of formatTable(HEADERS, rules.map(ruleRow))) {
        this.log(line);
      }
    return { rules: rules as unknown as PolicyRuleEntry[] };
  }
}

/** ruleRow is one rule's cells; an empty list, matching all, shows as -. */
function ruleRow(rule: ReplyObject): string[] {
  return [
    rule.id,
    rule.priority,
    rule.effect,
    rule.usernames,
    rule.roles,
    rule.resources,
    rule.actions,
  ].map(cellText);
}
