/**
 * x-kubernetes-validations: CEL rules on a CRD's schema nodes, compiled once per CRD version (with the
 * Kubernetes CEL libraries, src/api/cel) and run on every write of a custom object, as apiextensions'
 * schema/cel validator: `self` is the node's value, `oldSelf` the correlated stored value (transition
 * rules run on updates only, where the old value correlates through object properties, maps and
 * map-lists, unless optionalOldSelf makes `oldSelf` an optional there), `message` /
 * `messageExpression` word the error, `reason` and `fieldPath` place it.
 *
 * Cost limits:
 * - at run time, counted in cel-go's cost units (src/api/cel/cost.ts): each rule may spend
 *   PerCallLimit (1,000,000); all rules over one object RuntimeCELCostBudget (10,000,000); past
 *   either, upstream's message, and no further rules run.
 * - at CRD creation, estimated as upstream estimates them (cel-go's checker/cost.go with the
 *   Kubernetes library costs, src/api/cel/estimate.ts, sized by the schema: cel-decl-type.ts), times
 *   how often the rule can run per object (cel-cost.ts): StaticEstimatedCostLimit (10,000,000) per
 *   rule or messageExpression, StaticEstimatedCRDCostLimit (100,000,000) for the whole schema.
 */
import { Optional } from '@marcbachmann/cel-js';
import { CostLimitError, PER_CALL_LIMIT } from '../cel/cost.js';
import { CelEnvironment, type Program } from '../cel/environment.js';
import { extractMaxElements, schemaDeclType } from './cel-decl-type.js';
import { ruleSpecErrors } from './rule-spec.js';
import {
  checkCost, costErrorMessage, multiplyCost, TotalCost, STATIC_ESTIMATED_COST_LIMIT, STATIC_ESTIMATED_CRD_COST_LIMIT,
} from './cel-cost.js';
import { child, fe, index } from '../schema/errors.js';
import type { FieldError } from '../status.js';
import { isObject, mapValues, type JSONSchemaProps, type ValidationRule } from './structural.js';

export { STATIC_ESTIMATED_COST_LIMIT, STATIC_ESTIMATED_CRD_COST_LIMIT };
export const RUNTIME_CEL_COST_BUDGET = 10_000_000;

const env = new CelEnvironment(['self', 'oldSelf']);
/** Rules with optionalOldSelf see oldSelf as an optional (typed so, or cel-js cannot order `.value()`). */
const optionalEnv = new CelEnvironment({ self: 'dyn', oldSelf: 'optional<dyn>' });

interface CompiledRule {
  spec: ValidationRule;
  env: CelEnvironment;
  program: Program;
  message?: Program;
  transition: boolean;
}

/** The compiled rules of one schema node and of the nodes below it that have any. */
export interface RuleTree {
  schema: JSONSchemaProps;
  rules: CompiledRule[];
  props: Map<string, RuleTree>;
  items?: RuleTree;
  values?: RuleTree;
}

function compileOne(r: ValidationRule, at: string, errs: FieldError[], uncorrelatable: string | undefined): CompiledRule | undefined {
  const ruleEnv = r.optionalOldSelf === true ? optionalEnv : env;
  let program: Program;
  try {
    program = ruleEnv.compile(r.rule);
  } catch (err) {
    errs.push(fe.invalid(`${at}.rule`, r.rule, `compilation failed: ${(err as Error).message}`));
    return undefined;
  }
  const type = ruleEnv.typeOf(program);
  if (type !== 'bool' && type !== 'dyn') {
    errs.push(fe.invalid(`${at}.rule`, r.rule, 'compilation failed: cel expression must evaluate to a bool'));
    return undefined;
  }
  let message: Program | undefined;
  if (r.messageExpression) {
    try {
      message = ruleEnv.compile(r.messageExpression);
    } catch (err) {
      errs.push(fe.invalid(`${at}.messageExpression`, r.messageExpression, `messageExpression compilation failed: ${(err as Error).message}`));
    }
  }
  const transition = /\boldSelf\b/.test(r.rule);
  if (transition && uncorrelatable !== undefined) errs.push(fe.invalid(`${at}.rule`, r.rule, `oldSelf cannot be used on the uncorrelatable portion of the schema within ${uncorrelatable}`));
  if (r.optionalOldSelf !== undefined && !transition) errs.push(fe.invalid(`${at}.optionalOldSelf`, r.optionalOldSelf, 'may not be set if oldSelf is not used in rule'));
  const reasons = ['FieldValueInvalid', 'FieldValueForbidden', 'FieldValueRequired', 'FieldValueDuplicate'];
  if (r.reason !== undefined && !reasons.includes(r.reason)) errs.push(fe.notSupported(`${at}.reason`, r.reason, reasons));
  return { spec: r, env: ruleEnv, program, ...(message ? { message } : {}), transition };
}

/**
 * Compiles every rule under `schema` (errors at `path`, as a CRD's validation reports them). `tree` is
 * undefined when the schema has no rules at all, so objects of such kinds skip CEL entirely.
 */
export function compileRules(schema: JSONSchemaProps, path: string): { errors: FieldError[]; tree?: RuleTree } {
  const errs: FieldError[] = [];
  const total = new TotalCost();
  // `cardinality`: how many times the node can occur per object (CELSchemaContext.MaxCardinality)
  // `uncorrelatable`: the path of the list (not a map-list) or atomic map above, where oldSelf has no old value
  const walk = (s: JSONSchemaProps, at: string, cardinality: number | undefined, root: boolean, uncorrelatable?: string): RuleTree | undefined => {
    if (typeof s !== 'object' || s === null || Array.isArray(s)) return undefined;
    const rules: CompiledRule[] = [];
    const specs = s['x-kubernetes-validations'] ?? [];
    // as validateSchemaStuffWithXPrefixedName: a node whose rules are malformed reports no compile or cost
    // errors; its well-formed rules still run on objects of a CRD stored before these checks
    const malformed = ruleSpecErrors(specs, at);
    errs.push(...malformed);
    const decl = specs.length > 0 && malformed.length === 0 ? schemaDeclType(s, root || s['x-kubernetes-embedded-resource'] === true) : undefined;
    specs.forEach((r, i) => {
      if (typeof r?.rule !== 'string' || r.rule.trim() === '') return;
      const rat = `${at}.x-kubernetes-validations[${i}]`;
      const c = compileOne(r, rat, malformed.length === 0 ? errs : [], uncorrelatable);
      if (!c) return;
      if (decl) {
        const costed = { rule: c.program.ast, text: r.rule, optionalOldSelf: r.optionalOldSelf === true };
        errs.push(...checkCost(c.message ? { ...costed, message: c.message.ast, messageText: r.messageExpression ?? '' } : costed, decl, cardinality, rat, total));
      }
      rules.push(c);
    });
    const factor = extractMaxElements(s);
    const below = cardinality === undefined || factor === undefined ? undefined : multiplyCost(cardinality, factor);
    const props = new Map<string, RuleTree>();
    const propsUncorrelatable = uncorrelatable ?? (s['x-kubernetes-map-type'] === 'atomic' ? at : undefined);
    for (const [k, p] of Object.entries(s.properties ?? {})) {
      const t = walk(p, `${at}.properties[${k}]`, below, false, propsUncorrelatable);
      if (t) props.set(k, t);
    }
    const itemsUncorrelatable = uncorrelatable ?? (s['x-kubernetes-list-type'] !== 'map' ? at : undefined);
    const items = s.items ? walk(s.items, `${at}.items`, below, false, itemsUncorrelatable) : undefined;
    const mv = mapValues(s);
    const values = mv ? walk(mv, `${at}.additionalProperties`, below, false, uncorrelatable) : undefined;
    if (rules.length === 0 && props.size === 0 && !items && !values) return undefined;
    return { schema: s, rules, props, ...(items ? { items } : {}), ...(values ? { values } : {}) };
  };
  const tree = walk(schema, path, 1, true);
  if (total.total > STATIC_ESTIMATED_CRD_COST_LIMIT) {
    for (const e of total.mostExpensive) errs.push(fe.forbidden(e.path, 'contributed to estimated rule cost total exceeding cost limit for entire OpenAPIv3 schema'));
    errs.push(fe.forbidden(path, costErrorMessage('x-kubernetes-validations estimated rule cost total for entire OpenAPIv3 schema', total.total, STATIC_ESTIMATED_CRD_COST_LIMIT)));
  }
  return { errors: errs, ...(tree ? { tree } : {}) };
}

/** A JSON value as CEL sees it: integers of integer-typed nodes become CEL ints (bigint). */
function celValue(s: JSONSchemaProps | undefined, v: unknown): unknown {
  if (typeof v === 'number') return Number.isInteger(v) && (s?.type === 'integer' || s?.['x-kubernetes-int-or-string']) ? BigInt(v) : v;
  if (Array.isArray(v)) return v.map((x) => celValue(s?.items, x));
  if (isObject(v)) {
    const out: Record<string, unknown> = {};
    const mv = s ? mapValues(s) : undefined;
    for (const [k, x] of Object.entries(v)) out[k] = celValue(s?.properties?.[k] ?? mv, x);
    return out;
  }
  return v;
}

/** upstream's ruleErrorString: the message when there is one, else the rule. */
const ruleText = (r: CompiledRule): string => (r.spec.message?.trim() || r.spec.rule.trim());
const STOP = 'no further validation rules will be run';

/** Runs the rules of `tree` over `value` (and the correlated `old` on updates); errors worded as upstream's. */
export function evaluateRules(tree: RuleTree, value: unknown, old: unknown, hasOld: boolean): FieldError[] {
  const errs: FieldError[] = [];
  let budget = RUNTIME_CEL_COST_BUDGET;
  let exhausted = false;
  /**
   * One metered evaluation of a rule (`msg` undefined) or of its messageExpression (`msg` its text).
   * Past the per-call limit or the object's budget it records upstream's error and stops validation.
   */
  const run = (e: CelEnvironment, p: Program, ctx: Record<string, unknown>, path: string, type: string, rule: string, msg?: string): { ok: true; value: unknown } | { ok: false; error?: Error } => {
    try {
      const { value: v, cost } = e.evaluate(p, ctx, PER_CALL_LIMIT);
      if (cost > budget) {
        exhausted = true;
        errs.push(fe.invalid(path, type, `${msg === undefined ? 'validation' : 'messageExpression evaluation'} failed due to running out of cost budget, ${STOP}`));
        return { ok: false };
      }
      budget -= cost;
      return { ok: true, value: v };
    } catch (err) {
      if (err instanceof CostLimitError) {
        exhausted = true;
        errs.push(fe.invalid(path, type, msg === undefined
          ? `'${err.message}': ${STOP} due to call cost exceeds limit for rule: ${rule}`
          : `${STOP} due to call cost exceeds limit for messageExpression: ${JSON.stringify(msg)}`));
        return { ok: false };
      }
      return { ok: false, error: err as Error };
    }
  };
  const visit = (t: RuleTree, v: unknown, o: unknown, oldOk: boolean, path: string): void => {
    if (exhausted || v === undefined || v === null) return;
    if (t.rules.length > 0) {
      const self = celValue(t.schema, v);
      const oldSelf = oldOk ? celValue(t.schema, o) : undefined;
      const type = t.schema.type ?? 'object';
      for (const r of t.rules) {
        // optionalOldSelf: the rule runs on create too, oldSelf an optional (none without an old value)
        const optional = r.transition && r.spec.optionalOldSelf === true;
        if (r.transition && !oldOk && !optional) continue;
        const ctx = { self, ...(optional ? { oldSelf: oldOk ? Optional.of(oldSelf) : Optional.none() } : oldOk ? { oldSelf } : {}) };
        const res = run(r.env, r.program, ctx, path, type, ruleText(r));
        if (exhausted) return;
        if (!res.ok) {
          const m = res.error!.message.split('\n')[0]!;
          errs.push(fe.invalid(path, type, /^(no such overload|found no matching overload)/.test(m)
            ? `'${m}': call arguments did not match a supported operator, function or macro signature for rule: ${ruleText(r)}`
            : `${m} evaluating rule: ${ruleText(r)}`));
          continue;
        }
        if (res.value === true) continue;
        const e = ruleError(r, t, ctx, path, (p, c) => run(r.env, p, c, path, type, ruleText(r), r.spec.messageExpression));
        if (exhausted) return;
        errs.push(e);
      }
    }
    if (Array.isArray(v) && t.items) {
      const keys = t.schema['x-kubernetes-list-type'] === 'map' ? t.schema['x-kubernetes-list-map-keys'] ?? [] : undefined;
      v.forEach((item, i) => {
        const prev = keys && oldOk && Array.isArray(o) ? o.find((x) => keys.every((k) => isObject(x) && isObject(item) && x[k] === item[k])) : undefined;
        visit(t.items!, item, prev, prev !== undefined, index(path, i));
      });
    }
    if (isObject(v)) {
      for (const [k, pt] of t.props) visit(pt, v[k], isObject(o) ? o[k] : undefined, oldOk && isObject(o) && o[k] !== undefined, child(path, k));
      if (t.values) {
        for (const k of Object.keys(v)) {
          if (t.schema.properties?.[k]) continue;
          visit(t.values, v[k], isObject(o) ? o[k] : undefined, oldOk && isObject(o) && o[k] !== undefined, index(path, k));
        }
      }
    }
  };
  visit(tree, value, old, hasOld, '');
  return errs;
}

type Run = (p: Program, ctx: Record<string, unknown>) => { ok: true; value: unknown } | { ok: false };

function ruleError(r: CompiledRule, t: RuleTree, ctx: Record<string, unknown>, path: string, run: Run): FieldError {
  let message = r.spec.message?.trim() || `failed rule: ${r.spec.rule.trim()}`;
  if (r.message) {
    // upstream falls back to message (or the default) when messageExpression fails
    const m = run(r.message, ctx);
    if (m.ok && typeof m.value === 'string' && m.value.trim() !== '' && !m.value.includes('\n')) message = m.value.trim();
  }
  const at = r.spec.fieldPath ? `${path}${r.spec.fieldPath.startsWith('.') || r.spec.fieldPath.startsWith('[') ? '' : '.'}${r.spec.fieldPath}`.replace(/^\./, '') : path;
  switch (r.spec.reason) {
    case 'FieldValueForbidden': return fe.forbidden(at, message);
    case 'FieldValueRequired': return fe.required(at, message);
    case 'FieldValueDuplicate': return { type: 'FieldValueDuplicate', field: at, detail: `Duplicate value: ${JSON.stringify(t.schema.type ?? 'object')}: ${message}` };
    default: return fe.invalid(at, t.schema.type ?? 'object', message);
  }
}
