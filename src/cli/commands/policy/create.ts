// `metacrypt policy create`: a new policy rule, from flags or from a JSON
// file (or stdin) holding the rule as the API takes it.
import { Flags } from '@oclif/core';

import { MetacryptError } from '../../../errors/index.js';
import { ApiCommand } from '../../api-command.js';
import { userFlags } from '../../flags.js';
import { readJsonInput, STDIN_PATH } from '../../input-bytes.js';
import { replyObject, replyString } from '../../reply-fields.js';
import type { PolicyRuleEntry } from './list.js';

// The flags that build a rule, which --file replaces as a whole. The
// run checks they are not mixed, not oclif's `exclusive`, whose usage
// line for seven flags reads as noise.
const RULE_FLAGS = [
  'id',
  'priority',
  'effect',
  'username',
  'role',
  'resource',
  'action',
] as const;

/** A list flag: repeat it, or separate the values with commas. */
function listFlag(summary: string, helpValue: string) {
  return Flags.string({
    summary: `${summary} Repeat, or separate with commas.`,
    helpValue,
    multiple: true,
    delimiter: ',',
  });
}

/** PolicyCreate creates a policy rule. */
export class PolicyCreate extends ApiCommand {
  static override summary = 'Create a policy rule (admin).';

  static override description =
    'A rule matches a request when each of its lists matches (an empty ' +
    'list matches everything); rules are tried by priority, lower first, ' +
    'and the first match decides. Resources are globs over ' +
    'engine/<mount>/<operation>, where * matches within one segment. ' +
    'Actions are read, write, encrypt, decrypt, sign, verify, hmac and ' +
    `any. Give the rule with flags, or as JSON with --file (${STDIN_PATH} ` +
    'for stdin). Needs an admin token.';

  static override examples = [
    '<%= config.bin %> <%= command.id %> --id alice-encrypt --priority 100 ' +
      '--effect allow --username alice --resource engine/transit/encrypt ' +
      '--action encrypt',
    '<%= config.bin %> <%= command.id %> --file rule.json --json',
    `echo '{"id":"users-read","priority":50,"effect":"allow",` +
      `"roles":["user"],"actions":["read"]}' | ` +
      '<%= config.bin %> <%= command.id %> --file -',
  ];

  static override flags = {
    ...userFlags,
    id: Flags.string({
      summary: 'The rule id: letters, digits, ., _ and -.',
      helpValue: 'ID',
    }),
    priority: Flags.integer({
      summary: 'Lower numbers are tried first (0 to 2147483647).',
      helpValue: 'N',
    }),
    effect: Flags.string({
      summary: 'What the rule decides when it matches.',
      options: ['allow', 'deny'],
    }),
    username: listFlag('A username the rule matches.', 'NAME'),
    role: listFlag('An MCIAS role the rule matches.', 'ROLE'),
    resource: listFlag('A resource glob, such as engine/transit/*.', 'GLOB'),
    action: listFlag('An action the rule covers.', 'ACTION'),
    file: Flags.string({
      char: 'f',
      summary: `Read the rule as JSON from a file ('${STDIN_PATH}' for stdin).`,
      helpValue: 'PATH',
    }),
  };

  async run(): Promise<PolicyRuleEntry> {
    const { flags } = await this.parse(PolicyCreate);

    // Step 1: the rule, checked here only for what the flags need; the
    // server checks every field and names the one it refuses.
    const rule =
      flags.file === undefined
        ? ruleFromFlags(flags)
        : await ruleFromFile(flags.file, flags);

    // Step 2: create it.
    const client = this.userClient(flags);
    const route = '/v1/policy/rules';
    const { body } = await client.call('POST', route, rule);
    const at = { addr: client.addr, route };
    const id = replyString(body, 'id', at);

    this.log(`Created policy rule ${id}.`);
    return replyObject(body, at) as unknown as PolicyRuleEntry;
  }
}

interface RuleFlagValues {
  readonly id?: string | undefined;
  readonly priority?: number | undefined;
  readonly effect?: string | undefined;
  readonly username?: string[] | undefined;
  readonly role?: string[] | undefined;
  readonly resource?: string[] | undefined;
  readonly action?: string[] | undefined;
}

/** ruleFromFlags builds the rule's JSON; lists left out stay out. */
function ruleFromFlags(flags: RuleFlagValues): Record<string, unknown> {
  const required = (name: string): MetacryptError =>
    new MetacryptError(
      'cli_usage',
      `--${name} is required (or give the whole rule with --file)`,
    );
  if (flags.id === undefined) throw required('id');
  if (flags.priority === undefined) throw required('priority');
  if (flags.effect === undefined) throw required('effect');

  return {
    id: flags.id,
    priority: flags.priority,
    effect: flags.effect,
    ...list('usernames', flags.username),
    ...list('roles', flags.role),
    ...list('resources', flags.resource),
    ...list('actions', flags.action),
  };
}

/** ruleFromFile reads the rule's JSON, with no rule flag beside it. */
async function ruleFromFile(
  file: string,
  flags: RuleFlagValues,
): Promise<unknown> {
  const mixed = RULE_FLAGS.find((name) => flags[name] !== undefined);
  if (mixed !== undefined) {
    throw new MetacryptError(
      'cli_usage',
      `--file gives the whole rule: leave out --${mixed}`,
    );
  }
  return readJsonInput({ textFlag: 'file', file });
}

function list(
  field: string,
  values: readonly string[] | undefined,
): Record<string, string[]> {
  if (values === undefined) return {};
  return { [field]: values.map((value) => value.trim()) };
}
