// Policy evaluation (DESIGN.md §7): which rule decides a request, and
// whether that means allowed.
import { compileGlob } from './glob.js';
import type { ResourceMatcher } from './glob.js';
import type { PolicyAction, PolicyRule, RequestAction } from './rule.js';

/** PolicyRequest is one caller wanting to do one thing to one resource. */
export interface PolicyRequest {
  readonly username: string;
  readonly roles: readonly string[];
  /** The caller holds the MCIAS `admin` role. */
  readonly isAdmin: boolean;
  /** `engine/<mount>/<operation>`. */
  readonly resource: string;
  readonly action: RequestAction;
  /** The operation is for admins only; no rule can grant it. */
  readonly adminOnly: boolean;
}

/** DecisionReason says what decided a request. */
export type DecisionReason = 'admin' | 'admin_only' | 'rule' | 'no_match';

/** Decision is the answer to a PolicyRequest and what gave it. */
export interface Decision {
  readonly allowed: boolean;
  readonly reason: DecisionReason;
  /** The deciding rule, when reason is `rule`. */
  readonly ruleId?: string;
}

/**
 * evaluate decides request against rules, given in any order. Admins may
 * do anything; an admin-only operation is refused to everyone else
 * whatever the rules say; otherwise the first matching rule in evaluation
 * order (see compareRules) allows or denies, and no match denies.
 */
export function evaluate(
  rules: readonly PolicyRule[],
  request: PolicyRequest,
): Decision {
  if (request.isAdmin) return { allowed: true, reason: 'admin' };
  if (request.adminOnly) return { allowed: false, reason: 'admin_only' };

  const caller = {
    username: request.username.toLowerCase(),
    roles: request.roles.map((role) => role.toLowerCase()),
    resource: request.resource,
    action: request.action,
  };
  for (const rule of inEvaluationOrder(rules)) {
    if (matches(compiled(rule), caller)) {
      return {
        allowed: rule.effect === 'allow',
        reason: 'rule',
        ruleId: rule.id,
      };
    }
  }
  return { allowed: false, reason: 'no_match' };
}

/**
 * compareRules orders rules for evaluation: lower priority number first,
 * then by id (code unit order, the same in every locale), so the order
 * rules are stored or given in never changes a decision. Two rules with
 * the same priority and id (a store never holds both) put deny first.
 */
export function compareRules(a: PolicyRule, b: PolicyRule): number {
  if (a.priority !== b.priority) return a.priority - b.priority;
  if (a.id !== b.id) return a.id < b.id ? -1 : 1;
  if (a.effect === b.effect) return 0;
  return a.effect === 'deny' ? -1 : 1;
}

// A store hands over rules already sorted; checking costs less than
// sorting again on every request.
function inEvaluationOrder(
  rules: readonly PolicyRule[],
): readonly PolicyRule[] {
  for (let i = 1; i < rules.length; i++) {
    const previous = rules[i - 1];
    const current = rules[i];
    if (previous && current && compareRules(previous, current) > 0) {
      return [...rules].sort(compareRules);
    }
  }
  return rules;
}

interface Caller {
  readonly username: string;
  readonly roles: readonly string[];
  readonly resource: string;
  readonly action: RequestAction;
}

// A rule in the form it is matched in: names lowercased once, globs
// compiled. An empty list is undefined, meaning "matches anything".
interface CompiledRule {
  readonly usernames: ReadonlySet<string> | undefined;
  readonly roles: ReadonlySet<string> | undefined;
  readonly resources: readonly ResourceMatcher[] | undefined;
  readonly actions: ReadonlySet<PolicyAction> | undefined;
}

// Only a frozen rule (as parseRule returns) is remembered: one that can
// still change must be compiled afresh, or a stale form would decide.
const compiledRules = new WeakMap<PolicyRule, CompiledRule>();

function compiled(rule: PolicyRule): CompiledRule {
  const known = compiledRules.get(rule);
  if (known !== undefined) return known;

  const form: CompiledRule = {
    usernames: lowercaseSet(rule.usernames),
    roles: lowercaseSet(rule.roles),
    resources:
      rule.resources.length === 0 ? undefined : rule.resources.map(compileGlob),
    actions: rule.actions.length === 0 ? undefined : new Set(rule.actions),
  };
  if (isFrozenRule(rule)) compiledRules.set(rule, form);
  return form;
}

// Each non-empty list must match: a name, a shared role, a glob, an
// action (`any` standing for every action a request can name).
function matches(rule: CompiledRule, caller: Caller): boolean {
  if (rule.usernames && !rule.usernames.has(caller.username)) return false;
  if (rule.roles && !caller.roles.some((role) => rule.roles?.has(role))) {
    return false;
  }
  if (rule.resources && !rule.resources.some((m) => m(caller.resource))) {
    return false;
  }
  if (
    rule.actions &&
    !rule.actions.has(caller.action) &&
    !rule.actions.has('any')
  ) {
    return false;
  }
  return true;
}

function lowercaseSet(names: readonly string[]): Set<string> | undefined {
  return names.length === 0
    ? undefined
    : new Set(names.map((name) => name.toLowerCase()));
}

function isFrozenRule(rule: PolicyRule): boolean {
  return (
    Object.isFrozen(rule) &&
    Object.isFrozen(rule.usernames) &&
    Object.isFrozen(rule.roles) &&
    Object.isFrozen(rule.resources) &&
    Object.isFrozen(rule.actions)
  );
}
