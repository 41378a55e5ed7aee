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
 * error or missing params follows the policy's failurePolicy.
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

/** The param objects of a binding (paramRef by name, or by selector); undefined: not found. */
async function paramsFor(deps: PolicyDeps, p: ValidatingAdmissionPolicy, b: ValidatingAdmissionPolicyBinding, ns: string | undefined): Promise<(KubeObject | null)[] | undefined> {
  const kind = p.spec?.paramKind;
  const ref = b.spec?.paramRef;
  if (!kind) return [null];
  if (!ref) throw new Error(`policy ${p.metadata.name} has paramKind but binding ${b.metadata.name} has no paramRef`);
  const def = deps.kindDef(kind.apiVersion ?? '', kind.kind ?? '');
  if (!def) throw new Error(`failed to find resource referenced by paramKind: '${kind.apiVersion}, Kind=${kind.kind}'`);
  const pns = def.namespaced ? (ref.namespace || ns || '') : undefined;
  let found: KubeObject[];
  if (ref.name) {
    const kv = await deps.store.get(objectKey(def, pns, ref.name));
    found = kv ? [JSON.parse(kv.value) as KubeObject] : [];
  } else {
    const sel = labelSelectorFromObject(ref.selector);
    const listed = await deps.store.list(listPrefix(def, pns));
    found = listed.items.map((kv) => JSON.parse(kv.value) as KubeObject).filter((o) => matchesLabels(sel, o.metadata?.labels ?? {}));
  }
  if (found.length > 0) return found;
  return ref.parameterNotFoundAction === 'Allow' ? [] : undefined;
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

function refusal(p: string, b: string, message: string, reason: string): StatusError {
  const code = CODES[reason] ?? 422;
  return new StatusError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `ValidatingAdmissionPolicy '${p}' with binding '${b}' denied request: ${message}`, reason: reason as StatusReason, code });
}

export async function runPolicies(
  deps: PolicyDeps, policies: ReadonlyMap<string, ValidatingAdmissionPolicy>, bindings: readonly ValidatingAdmissionPolicyBinding[],
  r: AdmissionRequestInfo, req: AdmissionRequest, ctx: RequestContext,
): Promise<void> {
  const denied: StatusError[] = [];
  const audits = new Map<string, PolicyAuditAnnotations>();
  for (const b of bindings) {
    const p = policies.get(b.spec?.policyName ?? '');
    if (!p?.spec) continue;
    if (!(await matchResources(p.spec.matchConstraints, r)) || !(await matchResources(b.spec?.matchResources, r))) continue;
    const pname = p.metadata.name ?? '';
    const bname = b.metadata.name ?? '';
    const actions = b.spec?.validationActions ?? [];
    const fail = p.spec.failurePolicy !== 'Ignore';
    const report = (message: string, reason: string, expressionIndex = 0): void => {
      if (actions.includes('Deny')) denied.push(refusal(pname, bname, message, reason));
      if (actions.includes('Audit')) auditValidationFailure(ctx, { message, policy: pname, binding: bname, expressionIndex, validationActions: actions });
      if (actions.includes('Warn')) ctx.warnings.push(`Validation failed for ValidatingAdmissionPolicy '${pname}' with binding '${bname}': ${message}`);
    };
    const base: CelActivation = { object: req.object, oldObject: req.oldObject, request: req };
    const mc = matchConditions(p.spec.matchConditions, base);
    if (mc.error) { if (fail) report(mc.error, 'Invalid'); continue; }
    if (!mc.matches) continue;
    let params: (KubeObject | null)[] | undefined;
    try {
      params = await paramsFor(deps, p, b, r.attrs.namespace);
    } catch (err) {
      if (fail) report((err as Error).message, 'Invalid');
      continue;
    }
    if (!params) {
      if (fail) report('no params found for policy binding with `Deny` parameterNotFoundAction', 'Invalid');
      continue;
    }
    const nsObj = r.def.namespaced && r.attrs.namespace ? await namespaceObject(deps.store, r.attrs.namespace) : null;
    for (const param of params) {
      const act: CelActivation = { ...base, params: param, namespaceObject: nsObj };
      act.variables = lazyVariables(p.spec.variables, act);
      // upstream's RuntimeCELCostBudget for one policy evaluation (variables are charged to their reader)
      const budget: CelBudget = { remaining: RUNTIME_CEL_COST_BUDGET };
      for (const [i, v] of (p.spec.validations ?? []).entries()) {
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
      let audit = audits.get(pname);
      if (!audit) audits.set(pname, (audit = new PolicyAuditAnnotations()));
      // An annotation's error refuses under Fail whatever the binding's actions, as upstream.
      for (const e of audit.evaluate(p.spec.auditAnnotations, act)) if (fail) denied.push(refusal(pname, bname, e, 'Invalid'));
    }
  }
  for (const [pname, audit] of audits) audit.publish(ctx, pname);
  if (denied.length > 0) throw denied[0];
}

async function namespaceObject(store: Store, ns: string): Promise<KubeObject | null> {
  const kv = await store.get(namespaceKey(ns));
  return kv ? (JSON.parse(kv.value) as KubeObject) : null;
}
