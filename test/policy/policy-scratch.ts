// Helpers for policy tests: rules and requests with every field not under
// test filled in.
import { parseRule } from '../../src/policy/index.js';
import type {
  PolicyAction,
  PolicyRequest,
  PolicyRule,
} from '../../src/policy/index.js';

/** RuleFields are the fields of a rule a test may leave out. */
export interface RuleFields {
  readonly id?: string;
  readonly priority?: number;
  readonly effect?: 'allow' | 'deny';
  readonly usernames?: readonly string[];
  readonly roles?: readonly string[];
  readonly resources?: readonly string[];
  readonly actions?: readonly PolicyAction[];
}

let ruleCount = 0;

/**
 * rule checks a rule through parseRule, as a store would, giving it a
 * fresh id, priority 100 and effect allow unless told otherwise.
 */
export function rule(fields: RuleFields = {}): PolicyRule {
  return parseRule({
    id: `rule-${String(++ruleCount)}`,
    priority: 100,
    effect: 'allow',
    ...fields,
  });
}

/**
 * request is a non-admin alice with no roles encrypting with
 * engine/transit/encrypt, unless told otherwise.
 */
export function request(fields: Partial<PolicyRequest> = {}): PolicyRequest {
  return {
    username: 'alice',
    roles: [],
    isAdmin: false,
    resource: 'engine/transit/encrypt',
    action: 'encrypt',
    adminOnly: false,
    ...fields,
  };
}
