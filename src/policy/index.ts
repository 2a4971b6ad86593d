// The policy module's public surface: rules, their evaluation and the
// store that keeps them in the barrier (DESIGN.md §7).
export { compareRules, evaluate } from './evaluate.js';
export type { Decision, DecisionReason, PolicyRequest } from './evaluate.js';
export { compileGlob, matchResource } from './glob.js';
export type { ResourceMatcher } from './glob.js';
export { PolicyStore, RULES_PREFIX } from './policy-store.js';
export type { PutResult, RuleStorage } from './policy-store.js';
export {
  parseRule,
  parseRuleId,
  POLICY_ACTIONS,
  REQUEST_ACTIONS,
  RULE_LIMITS,
} from './rule.js';
export type {
  PolicyAction,
  PolicyEffect,
  PolicyRule,
  RequestAction,
} from './rule.js';
