/**
 * The ValidatingAdmissionPolicy plugin (GA in 1.30), as upstream's
 * apiserver/pkg/admission/plugin/policy/validating: every binding whose policy exists and whose
 * policy matchConstraints and own matchResources match the request, with its matchConditions true,
 * runs the policy's validations in CEL over object, oldObject, request, params (from paramRef),
 * namespaceObject and variables. A failed validation is reported by the binding's
 * validationActions: Deny refuses (`ValidatingAdmissionPolicy 'p' with binding 'b' denied request:
 * <message>`, code from the validation's reason: Invalid 422, Forbidden 403, Unauthorized 401,
 * RequestEntityTooLarge 413), Warn adds a Warning header, Audit an annotation of the audit event; the
 * policy's auditAnnotations go there too (policy-audit.ts). As upstream, every matching binding runs
 * before the first denial is the answer, so that later bindings still warn and audit. An expression
 * error is a failed validation under failurePolicy Fail (reported by the actions; ignored under
 * Ignore). A configuration error (a paramKind not served, a binding's params not found under
 * parameterNotFoundAction Deny) refuses under Fail whatever the actions (`... denied request: failed
 * to configure policy|binding: ...`, 422), as upstream's dispatcher.
 */
import type { KubeObject } from '../../../api/meta.js';
import type { ResourceDefinition } from '../../../api/resource.js';
import { StatusError, type StatusReason } from '../../../api/status.js';
import type { ValidatingAdmissionPolicy, ValidatingAdmissionPolicyBinding, MatchResources } from '../../../api/kinds/admissionregistration/validating-admission-policy.js';
import { labelSelectorFromObject } from '../../../api/selectors/label-selector-object.js';
import { matchesLabels } from '../../../api/selectors/label-selector.js';
import type { Store } from '../../../store/types.js';
import { listPrefix, namespaceKey, objectKey } from '../../storage/keys.js';
import type { RequestContext } from '../../storage/types.js';
import type { AdmissionRequest } from './admission-review.js';
import { evaluate, matchConditions, RUNTIME_CEL_COST_BUDGET, type CelActivation, type CelBudget } from './cel.js';
import { auditValidationFailure, PolicyAuditAnnotations } from './policy-audit.js';
import { namespaceSelectorMatches, objectSelectorMatches, ruleMatches, type AdmissionRequestInfo } from './matching.js';

const CODES: Record<string, number> = { Invalid: 422, Forbidden: 403, Unauthorized: 401, RequestEntityTooLarge: 413 };

export interface PolicyDeps {
  store: Store;
  /** The served definition of a kind (for paramKind). */
  kindDef(apiVersion: string, kind: string): ResourceDefinition | undefined;
}

async function matchResources(m: MatchResources | undefined, r: AdmissionRequestInfo): Promise<boolean> {
  if (!m) return true;
  // A binding's matchResources without resourceRules narrows by selectors only (the policy's rules decide).
  if ((m.resourceRules ?? []).length > 0 && !(m.resourceRules ?? []).some((rule) => ruleMatches(rule, r))) return false;
  if ((m.excludeResourceRules ?? []).some((rule) => ruleMatches(rule, r))) return false;
  return objectSelectorMatches(m.objectSelector, r.attrs) && namespaceSelectorMatches(m.namespaceSelector, r);
}

/**
 * The served definition of a policy's paramKind (undefined: the policy has none). None served is the
 * policy's configuration error, as upstream's policy source records it (its message included).
 */
function paramKindDef(deps: PolicyDeps, p: ValidatingAdmissionPolicy): ResourceDefinition | undefined {
  const kind = p.spec?.paramKind;
  if (!kind) return undefined;
  const def = deps.kindDef(kind.apiVersion ?? '', kind.kind ?? '');
  if (def) return def;
  // schema.GroupVersionKind's String(): "group/version, Kind=kind" (the core group is empty: "/v1").
  const gv = kind.apiVersion ?? '';
  throw new Error(`failed to find resource referenced by paramKind: '${gv.includes('/') ? gv : `/${gv}`}, Kind=${kind.kind ?? ''}'`);
}

/**
 * The param objects a binding runs its policy with, as upstream's CollectParams: [null] when the
 * policy has no paramKind or the binding no paramRef; [] when none is found and the binding allows
 * that. Throws the binding's configuration errors (none found under parameterNotFoundAction Deny, a
 * namespace that cannot apply).
 */
async function paramsFor(deps: PolicyDeps, def: ResourceDefinition | undefined, b: ValidatingAdmissionPolicyBinding, ns: string | undefined): Promise<(KubeObject | null)[]> {
  const ref = b.spec?.paramRef;
  if (!def || !ref) return [null];
  let pns: string | undefined;
  if (def.namespaced) {
    pns = ref.namespace || ns;
    if (!pns) throw new Error('cannot use namespaced paramRef in policy binding that matches cluster-scoped resources');
  } else if (ref.namespace) {
    throw new Error('paramRef.namespace must not be provided for a cluster-scoped `paramKind`');
  }
  let found: KubeObject[];
  if (ref.name) {
    const kv = await deps.store.get(objectKey(def, pns, ref.name));
    found = kv ? [JSON.parse(kv.value) as KubeObject] : [];
  } else {
    const sel = labelSelectorFromObject(ref.selector);
    const listed = await deps.store.list(listPrefix(def, pns));
    found = listed.items.map((kv) => JSON.parse(kv.value) as KubeObject).filter((o) => matchesLabels(sel, o.metadata?.labels ?? {}));
  }
  // The API defaults parameterNotFoundAction to Deny: only Allow lets a binding without params pass.
  if (found.length === 0 && ref.parameterNotFoundAction !== 'Allow') throw new Error('no params found for policy binding with `Deny` parameterNotFoundAction');
  return found;
}

/** `variables` whose members are evaluated when first read, each seeing the ones before it. */
function lazyVariables(vars: readonly { name: string; expression: string }[] | undefined, act: CelActivation): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const v of vars ?? []) {
    let done = false;
    let value: unknown;
    Object.defineProperty(out, v.name, {
      enumerable: true,
      get: () => {
        if (!done) { value = evaluate(v.expression, act); done = true; }
        return value;
      },
    });
  }
  return out;
}

function messageOf(v: { expression: string; message?: string; messageExpression?: string }, act: CelActivation, budget: CelBudget): string {
  if (v.messageExpression) {
    try {
      const m = evaluate(v.messageExpression, act, budget);
      if (typeof m === 'string' && m.trim() !== '' && !m.includes('\n')) return m;
    } catch { /* falls back to message, as upstream */ }
  }
  return v.message || `failed expression: ${v.expression.trim()}`;
}

/** A denial as upstream words it; a policy's own configuration error names no binding. */
function refusal(p: string, b: string | undefined, message: string, reason: string): StatusError {
  const code = CODES[reason] ?? 422;
  const by = b === undefined ? `ValidatingAdmissionPolicy '${p}'` : `ValidatingAdmissionPolicy '${p}' with binding '${b}'`;
  return new StatusError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `${by} denied request: ${message}`, reason: reason as StatusReason, code });
}

export async function runPolicies(
  deps: PolicyDeps, policies: ReadonlyMap<string, ValidatingAdmissionPolicy>, bindings: readonly ValidatingAdmissionPolicyBinding[],
  r: AdmissionRequestInfo, req: AdmissionRequest, ctx: RequestContext,
): Promise<void> {
  const denied: StatusError[] = [];
  // Each policy with its bindings (in the order of its first one), as upstream's policy hooks.
  const hooks = new Map<ValidatingAdmissionPolicy, ValidatingAdmissionPolicyBinding[]>();
  for (const b of bindings) {
    const p = policies.get(b.spec?.policyName ?? '');
    if (p?.spec) hooks.set(p, [...(hooks.get(p) ?? []), b]);
  }
  for (const [p, bs] of hooks) {
    if (!(await matchResources(p.spec?.matchConstraints, r))) continue;
    const pname = p.metadata.name ?? '';
    const fail = p.spec?.failurePolicy !== 'Ignore';
    // A configuration error (upstream's addConfigError) refuses under failurePolicy Fail whatever the
    // bindings' validationActions: it is no validation's result for the actions to report.
    const configError = (err: unknown, bname?: string): void => {
      if (fail) denied.push(refusal(pname, bname, `failed to configure ${bname === undefined ? 'policy' : 'binding'}: ${(err as Error).message}`, 'Invalid'));
    };
    let paramDef: ResourceDefinition | undefined;
    try {
      paramDef = paramKindDef(deps, p);
    } catch (err) {
      configError(err);
      continue;
    }
    const audit = new PolicyAuditAnnotations();
    for (const b of bs) {
      if (!(await matchResources(b.spec?.matchResources, r))) continue;
      const bname = b.metadata.name ?? '';
      let params: (KubeObject | null)[];
      try {
        params = await paramsFor(deps, paramDef, b, r.attrs.namespace);
      } catch (err) {
        configError(err, bname);
        continue;
      }
      await runBinding(p, b, params, r, req, ctx, deps.store, audit, denied);
    }
    audit.publish(ctx, pname);
  }
  if (denied.length > 0) throw denied[0];
}

/**
 * One binding's evaluations, for each of its params (upstream's validator): matchConditions (which
 * see the param), validations through the binding's validationActions, auditAnnotations.
 */
async function runBinding(
  p: ValidatingAdmissionPolicy, b: ValidatingAdmissionPolicyBinding, params: readonly (KubeObject | null)[], r: AdmissionRequestInfo,
  req: AdmissionRequest, ctx: RequestContext, store: Store, audit: PolicyAuditAnnotations, denied: StatusError[],
): Promise<void> {
  const spec = p.spec ?? {};
  const pname = p.metadata.name ?? '';
  const bname = b.metadata.name ?? '';
  const actions = b.spec?.validationActions ?? [];
  const fail = spec.failurePolicy !== 'Ignore';
  const report = (message: string, reason: string, expressionIndex = 0): void => {
    if (actions.includes('Deny')) denied.push(refusal(pname, bname, message, reason));
    if (actions.includes('Audit')) auditValidationFailure(ctx, { message, policy: pname, binding: bname, expressionIndex, validationActions: actions });
    if (actions.includes('Warn')) ctx.warnings.push(`Validation failed for ValidatingAdmissionPolicy '${pname}' with binding '${bname}': ${message}`);
  };
  const nsObj = params.length > 0 && r.def.namespaced && r.attrs.namespace ? await namespaceObject(store, r.attrs.namespace) : null;
  for (const param of params) {
    const act: CelActivation = { object: req.object, oldObject: req.oldObject, request: req, params: param, namespaceObject: nsObj };
    const mc = matchConditions(spec.matchConditions, act);
    if (mc.error) { if (fail) report(mc.error, 'Invalid'); continue; }
    if (!mc.matches) continue;
    act.variables = lazyVariables(spec.variables, act);
    // upstream's RuntimeCELCostBudget for one policy evaluation (variables are charged to their reader)
    const budget: CelBudget = { remaining: RUNTIME_CEL_COST_BUDGET };
    for (const [i, v] of (spec.validations ?? []).entries()) {
      let ok: unknown;
      try {
        ok = evaluate(v.expression, act, budget);
        if (typeof ok !== 'boolean') throw new Error('must evaluate to bool');
      } catch (err) {
        if (fail) report(`expression '${v.expression}' resulted in error: ${(err as Error).message.split('\n')[0]}`, 'Invalid', i);
        continue;
      }
      if (!ok) report(messageOf(v, act, budget), v.reason ?? 'Invalid', i);
    }
    // An annotation's error refuses under Fail whatever the binding's actions, as upstream.
    for (const e of audit.evaluate(spec.auditAnnotations, act)) if (fail) denied.push(refusal(pname, bname, e, 'Invalid'));
  }
}

async function namespaceObject(store: Store, ns: string): Promise<KubeObject | null> {
  const kv = await store.get(namespaceKey(ns));
  return kv ? (JSON.parse(kv.value) as KubeObject) : null;
}
