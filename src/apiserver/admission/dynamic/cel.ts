/**
 * CEL for admission (matchConditions, ValidatingAdmissionPolicy validations, messageExpression,
 * variables) with @marcbachmann/cel-js, the library the CRD validation rules use. Variables as
 * upstream's admission CEL environment: object, oldObject, request, params, namespaceObject,
 * variables. Not provided: `authorizer` and the Kubernetes CEL libraries (quantity, url, ...);
 * expressions using them fail to compile or evaluate (an error, handled by the failurePolicy).
 */
import { Environment, type ParseResult } from '@marcbachmann/cel-js';

const env = new Environment({ enableOptionalTypes: true, homogeneousAggregateLiterals: false, unlistedVariablesAreDyn: false });
for (const v of ['object', 'oldObject', 'request', 'params', 'namespaceObject', 'variables']) env.registerVariable(v, 'dyn');

export type CelActivation = Record<string, unknown>;

const compiled = new Map<string, ParseResult | Error>();

/** Compiles once per distinct expression text (configurations change rarely; requests are many). */
export function compile(expression: string): ParseResult {
  let c = compiled.get(expression);
  if (!c) {
    try {
      c = env.parse(expression);
    } catch (err) {
      c = err instanceof Error ? err : new Error(String(err));
    }
    if (compiled.size > 10_000) compiled.clear();
    compiled.set(expression, c);
  }
  if (c instanceof Error) throw new Error(`compilation failed: ${c.message.split('\n')[0]}`);
  return c;
}

export function evaluate(expression: string, activation: CelActivation): unknown {
  return compile(expression)(activation);
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
