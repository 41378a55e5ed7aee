/**
 * The CRD-creation cost check of x-kubernetes-validations, as apiextensions' validation.go does it:
 * each rule's (and messageExpression's) estimated cost (cel-go's estimator, src/api/cel/estimate.ts,
 * with the node's schema as CEL type) times how many times the rule can run per object — the product
 * of maxItems/maxProperties of the lists and maps above it, or, under an unbounded one, as many as
 * the node's smallest JSON fits in a request (maxCardinality) — must stay within
 * StaticEstimatedCostLimit; the sum over the CRD within StaticEstimatedCRDCostLimit.
 */
import type { ASTNode } from '@marcbachmann/cel-js';
import { estimateCost } from '../cel/estimate.js';
import type { DeclType } from '../cel/estimate-types.js';
import { fe } from '../schema/errors.js';
import type { FieldError } from '../status.js';
import { maxCardinality, pathSizer } from './cel-decl-type.js';

/** apiextensions validation.go's limits. */
export const STATIC_ESTIMATED_COST_LIMIT = 10_000_000;
export const STATIC_ESTIMATED_CRD_COST_LIMIT = 100_000_000;
const MAX_U64 = 2 ** 64;

/** compileRule's MaxCost: the estimate's maximum with `self` (and `oldSelf`) of the node's type. */
export function estimateRuleCost(ast: ASTNode, self: DeclType, optionalOldSelf: boolean): number {
  const oldSelf: DeclType = optionalOldSelf ? { kind: 'optional', elem: self, maxElements: 0, minSize: 1 } : self;
  return estimateCost(ast, { self, oldSelf }, pathSizer(self)).max;
}

/** multiplyWithOverflowGuard. */
export const multiplyCost = (cost: number, cardinality: number): number => (cost === 0 ? 0 : Math.min(MAX_U64, cost * cardinality));

/** Go's %f (six decimals) and %.1f of a float64. */
const goFixed = (n: number, digits: number): string => n.toFixed(digits);

/** getCostErrorMessage. */
export function costErrorMessage(name: string, cost: number, limit: number): string {
  const f = cost / limit;
  const by = f > 100 ? 'more than 100x' : f < 1.5 ? `${goFixed(f, 6)}x` : `${goFixed(f, 1)}x`;
  return `${name} exceeds budget by factor of ${by} (try simplifying the rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, and strings are declared)`;
}

/** TotalCost: the CRD's sum, and its (up to 4) most expensive expressions of at least 1% of the limit. */
export class TotalCost {
  total = 0;
  readonly mostExpensive: { path: string; cost: number }[] = [];

  observe(path: string, cost: number): void {
    this.total = Math.min(MAX_U64, this.total + cost);
    if (cost < STATIC_ESTIMATED_CRD_COST_LIMIT / 100) return;
    this.mostExpensive.push({ path, cost });
    // a stable sort, most expensive first, as Go's sort.Slice on a list this short behaves
    this.mostExpensive.sort((a, b) => b.cost - a.cost);
    this.mostExpensive.splice(4);
  }
}

/** A compiled rule as the cost check sees it: its AST, its messageExpression's, and their text. */
export interface CostedRule {
  rule: ASTNode;
  text: string;
  optionalOldSelf: boolean;
  message?: ASTNode;
  messageText?: string;
}

/**
 * The static cost checks of one rule at `at` on a node of CEL type `decl` that can occur
 * `cardinality` times per object (undefined: under an unbounded list or map), as validation.go:
 * the rule times its cardinality, and its messageExpression once (it runs once per failure), each
 * within StaticEstimatedCostLimit and added to `total`. An estimator failure is the expression's
 * error, as compileRule reports it.
 */
export function checkCost(r: CostedRule, decl: DeclType, cardinality: number | undefined, at: string, total: TotalCost): FieldError[] {
  const errs: FieldError[] = [];
  const check = (ast: ASTNode, field: string, text: string, name: string, times: number): boolean => {
    let cost: number;
    try {
      cost = multiplyCost(estimateRuleCost(ast, decl, r.optionalOldSelf), times);
    } catch (err) {
      const what = field === 'rule' ? '' : ' for messageExpression';
      errs.push(fe.invalid(`${at}.${field}`, text, `cost estimation failed${what}: ${(err as Error).message}`));
      return false;
    }
    if (cost > STATIC_ESTIMATED_COST_LIMIT) errs.push(fe.forbidden(`${at}.${field}`, costErrorMessage(name, cost, STATIC_ESTIMATED_COST_LIMIT)));
    total.observe(`${at}.${field}`, cost);
    return true;
  };
  if (check(r.rule, 'rule', r.text, 'estimated rule cost', cardinality ?? maxCardinality(decl.minSize)) && r.message) {
    check(r.message, 'messageExpression', r.messageText ?? '', 'estimated messageExpression cost', 1);
  }
  return errs;
}
