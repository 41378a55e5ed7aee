/**
 * CEL for admission (matchConditions, ValidatingAdmissionPolicy validations, messageExpression,
 * variables) with the environment the CRD validation rules use (src/api/cel: @marcbachmann/cel-js
 * and the Kubernetes CEL libraries). Variables as upstream's admission CEL environment: object,
 * oldObject, request, params, namespaceObject, variables. Each evaluation may cost upstream's
 * PerCallLimit (1,000,000 cel-go cost units); a policy's evaluations together may cost
 * RuntimeCELCostBudget (10,000,000) when the caller passes a budget. Not provided: `authorizer`;
 * expressions using it fail to compile (an error, handled by the failurePolicy).
 */
import { PER_CALL_LIMIT } from '../../../api/cel/cost.js';
import { CelEnvironment, type Program } from '../../../api/cel/environment.js';

const env = new CelEnvironment(['object', 'oldObject', 'request', 'params', 'namespaceObject', 'variables']);

export type CelActivation = Record<string, unknown>;
/** What is left of a policy evaluation's RuntimeCELCostBudget; evaluations spend from it. */
export interface CelBudget { remaining: number }
export const RUNTIME_CEL_COST_BUDGET = 10_000_000;

const compiled = new Map<string, Program | Error>();

/** Compiles once per distinct expression text (configurations change rarely; requests are many). */
export function compile(expression: string): Program {
  let c = compiled.get(expression);
  if (!c) {
    try {
      c = env.compile(expression);
    } catch (err) {
      c = err instanceof Error ? err : new Error(String(err));
    }
    if (compiled.size > 10_000) compiled.clear();
    compiled.set(expression, c);
  }
  if (c instanceof Error) throw new Error(`compilation failed: ${c.message.split('\n')[0]}`);
  return c;
}

/**
 * JSON as upstream's admission CEL sees it: whole numbers are CEL ints (the Kubernetes schemas type
 * them int64), so `object.spec.replicas * 2` is an int. Converted once per object of a request.
 */
const converted = new WeakMap<object, unknown>();
function celJSON(v: unknown): unknown {
  if (typeof v === 'number') return Number.isSafeInteger(v) ? BigInt(v) : v;
  if (!v || typeof v !== 'object') return v;
  let c = converted.get(v);
  if (c === undefined) {
    c = Array.isArray(v) ? v.map(celJSON) : Object.fromEntries(Object.entries(v).map(([k, x]) => [k, celJSON(x)]));
    converted.set(v, c);
  }
  return c;
}
const JSON_VARIABLES = ['object', 'oldObject', 'request', 'params', 'namespaceObject'];
function activationOf(a: CelActivation): CelActivation {
  const out = { ...a };
  for (const k of JSON_VARIABLES) if (k in a) out[k] = celJSON(a[k]);
  return out;
}

export function evaluate(expression: string, activation: CelActivation, budget?: CelBudget): unknown {
  const { value, cost } = env.evaluate(compile(expression), activationOf(activation), PER_CALL_LIMIT);
  if (budget) {
    if (cost > budget.remaining) throw new Error('validation failed due to running out of cost budget, no further validation rules will be run');
    budget.remaining -= cost;
  }
  return value;
}

/** A boolean expression; anything else is an error (as upstream: "must evaluate to bool"). */
export function evaluateBool(expression: string, activation: CelActivation): boolean {
  const v = evaluate(expression, activation);
  if (typeof v !== 'boolean') throw new Error(`expression '${expression}' resulted in error: must evaluate to bool`);
  return v;
}

export interface MatchCondition { name: string; expression: string }

/**
 * upstream's matchconditions.Matcher: any false skips; all true matches; an error (none false)
 * is returned for the failurePolicy to decide.
 */
export function matchConditions(conds: readonly MatchCondition[] | undefined, activation: CelActivation): { matches: boolean; error?: string } {
  let error: string | undefined;
  for (const c of conds ?? []) {
    try {
      if (!evaluateBool(c.expression, activation)) return { matches: false };
    } catch (err) {
      error ??= `matchCondition '${c.name}' error: ${(err as Error).message.split('\n')[0]}`;
    }
  }
  return error ? { matches: false, error } : { matches: true };
}
