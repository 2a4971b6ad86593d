// Policy rules (DESIGN.md §7): the actions a rule may name, the shape of a
// rule, and parseRule, which checks one from a request body or the barrier.
import { z } from 'zod';

import { MetacryptError, quoteInput } from '../errors/index.js';

/** POLICY_ACTIONS are the actions a rule may name; `any` covers the rest. */
export const POLICY_ACTIONS = [
  'read',
  'write',
  'encrypt',
  'decrypt',
  'sign',
  'verify',
  'hmac',
  'any',
] as const;

/** PolicyAction is one action a rule may name. */
export type PolicyAction = (typeof POLICY_ACTIONS)[number];

/** RequestAction is what a request does: any action but `any`. */
export type RequestAction = Exclude<PolicyAction, 'any'>;

/** REQUEST_ACTIONS lists every RequestAction, in POLICY_ACTIONS order. */
export const REQUEST_ACTIONS: readonly RequestAction[] = POLICY_ACTIONS.filter(
  (action): action is RequestAction => action !== 'any',
);

/** PolicyEffect is what a matching rule decides. */
export type PolicyEffect = 'allow' | 'deny';

/**
 * PolicyRule is a checked rule. Absent lists are empty, and an empty list
 * matches anything. Rules from parseRule are frozen, lists included.
 */
export interface PolicyRule {
  readonly id: string;
  readonly priority: number;
  readonly effect: PolicyEffect;
  readonly usernames: readonly string[];
  readonly roles: readonly string[];
  readonly resources: readonly string[];
  readonly actions: readonly PolicyAction[];
}

/**
 * RULE_LIMITS bound each field. An id becomes a barrier path segment
 * (`sys/policy/rules/<id>`), so it follows the segment rules of
 * src/keyworker/barrier-path.ts; the rest keep a rule small enough to be
 * checked on every request.
 */
export const RULE_LIMITS = {
  idLength: 128,
  maxPriority: 2_147_483_647,
  nameLength: 256,
  resourceLength: 512,
  listItems: 256,
} as const;

const MAX_PRIORITY = RULE_LIMITS.maxPriority;
const ID_CHARS = /^[A-Za-z0-9._-]+$/;
const GLOB_CHARS = /^[A-Za-z0-9._*/-]+$/;
// A field name that may be printed as is; anything else is quoted.
const PLAIN_NAME = /^[A-Za-z0-9_]{1,64}$/;

// Each check below has its own message, so the caller learns which rule a
// value broke; a missing value says so rather than naming a type.
function required(expected: string): z.core.$ZodErrorMap {
  return (issue) => (issue.input === undefined ? 'is required' : expected);
}

function text(maxLength: number): z.ZodString {
  return z
    .string({ error: required('must be a string') })
    .min(1, { error: 'must not be empty' })
    .max(maxLength, { error: `must be at most ${maxLength} characters` });
}

const ruleId = text(RULE_LIMITS.idLength)
  .regex(ID_CHARS, {
    error: 'may use only letters, digits, ".", "_" and "-"',
  })
  .refine((id) => id !== '.' && id !== '..', {
    error: 'must not be "." or ".."',
  });

// A glob with an empty segment or `**` never matches a resource as the
// writer probably meant (`*` stays within one segment), and a deny rule
// that silently matches nothing opens access, so both are refused.
const resourceGlob = text(RULE_LIMITS.resourceLength)
  .regex(GLOB_CHARS, {
    error: 'may use only letters, digits, ".", "_", "-", "*" and "/"',
  })
  .refine((glob) => !glob.split('/').includes(''), {
    error: 'must not have an empty segment',
  })
  .refine((glob) => !glob.includes('**'), {
    error: 'must not contain "**": "*" matches within one segment only',
  });

const PRIORITY_RANGE = `must be a whole number from 0 to ${MAX_PRIORITY}`;
const ACTION_LIST = POLICY_ACTIONS.join(', ');

function list<T extends z.ZodType>(item: T): z.ZodDefault<z.ZodArray<T>> {
  return z
    .array(item, { error: 'must be a list' })
    .max(RULE_LIMITS.listItems, {
      error: `must have at most ${RULE_LIMITS.listItems} items`,
    })
    .default([]);
}

const RULE_SCHEMA = z.strictObject({
  id: ruleId,
  priority: z
    .int({ error: required(PRIORITY_RANGE) })
    .min(0, { error: PRIORITY_RANGE })
    .max(RULE_LIMITS.maxPriority, { error: PRIORITY_RANGE }),
  effect: z.enum(['allow', 'deny'], {
    error: required('must be allow or deny'),
  }),
  usernames: list(text(RULE_LIMITS.nameLength)),
  roles: list(text(RULE_LIMITS.nameLength)),
  resources: list(resourceGlob),
  actions: list(
    z.enum(POLICY_ACTIONS, { error: `must be one of ${ACTION_LIST}` }),
  ),
});

/**
 * parseRule checks input as a rule and returns it frozen, lists defaulted
 * to empty. pathId is the id a request names in its path (PUT
 * /v1/policy/rule/:id): the body may then leave its id out, and must
 * otherwise agree. Throws `bad_request` with `policy: <field>: <problem>`.
 */
export function parseRule(input: unknown, pathId?: string): PolicyRule {
  // The path's id is checked first and fills in a missing body id.
  const withId = pathId === undefined ? input : withPathId(input, pathId);

  const result = RULE_SCHEMA.safeParse(withId);
  if (!result.success) throw firstProblem(result.error.issues);

  const rule = result.data;
  return Object.freeze({
    id: rule.id,
    priority: rule.priority,
    effect: rule.effect,
    usernames: Object.freeze(rule.usernames),
    roles: Object.freeze(rule.roles),
    resources: Object.freeze(rule.resources),
    actions: Object.freeze(rule.actions),
  });
}

/**
 * parseRuleId returns id if it is a valid rule id and throws `bad_request`
 * (`policy: id: <problem>`) otherwise, for ids taken from a request path.
 */
export function parseRuleId(id: unknown): string {
  const result = ruleId.safeParse(id);
  if (!result.success) throw firstProblem(result.error.issues, ['id']);
  return result.data;
}

function withPathId(input: unknown, pathId: string): unknown {
  parseRuleId(pathId);
  if (!isRecord(input) || !Object.hasOwn(input, 'id')) {
    return isRecord(input) ? { ...input, id: pathId } : input;
  }
  if (input.id !== pathId) {
    throw policyError('id', 'must match the rule id in the path');
  }
  return input;
}

// Unknown fields come first: a misspelt field usually also shows up as a
// missing one, and the misspelling is what the writer needs to see.
function firstProblem(
  issues: readonly z.core.$ZodIssue[],
  prefix: readonly PropertyKey[] = [],
): MetacryptError {
  const unknown = issues.find((issue) => issue.code === 'unrecognized_keys');
  if (unknown !== undefined) {
    const name = unknown.keys[0] ?? '';
    const shown = PLAIN_NAME.test(name) ? name : quoteInput(name, 32);
    return policyError(shown, 'unknown field');
  }
  const [issue] = issues;
  if (issue === undefined) return policyError('rule', 'is invalid');
  const path = [...prefix, ...issue.path];
  if (path.length === 0) return policyError('rule', 'must be a JSON object');
  return policyError(fieldName(path), issue.message);
}

// `actions[2]`, `usernames[0]`: the form a reader finds in the body.
function fieldName(path: readonly PropertyKey[]): string {
  return path
    .map((part, i) =>
      typeof part === 'number'
        ? `[${part}]`
        : `${i === 0 ? '' : '.'}${String(part)}`,
    )
    .join('');
}

function policyError(field: string, problem: string): MetacryptError {
  return new MetacryptError('bad_request', `policy: ${field}: ${problem}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
