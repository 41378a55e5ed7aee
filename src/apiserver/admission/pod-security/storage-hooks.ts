/**
 * PodSecurity admission wired into the generic storage (Strategy.validateAdmission): reads the namespace's
 * labels from the store and applies `decide` to pods (enforced), to pod templates of workloads
 * (warnings only) and checks namespace label changes, as upstream's plugin does for
 * pods, workload resources and namespaces. Runs after validation, before the write, dry runs
 * included (upstream's validating admission position). Its audit annotations go to the request's
 * audit event as `pod-security.kubernetes.io/<key>`, as the upstream plugin's audit.AddAuditAnnotations
 * (no `exempt`: Bosun has no PodSecurity exemptions configuration).
 */
import { pods as podDef, type PodSpec } from '../../../api/kinds/index.js';
import type { KubeObject } from '../../../api/meta.js';
import { errors, failure } from '../../../api/status.js';
import type { Store } from '../../../store/types.js';
import { decodeKv } from '../../storage/codec.js';
import { invalid } from '../../storage/errors.js';
import { resourcePrefix } from '../../storage/keys.js';
import { readNamespace } from '../../storage/watched-reads.js';
import type { AdmitEnv } from '../../storage/strategies/types.js';
import type { RequestContext } from '../../storage/types.js';
import { addAuditAnnotation } from '../audit-annotations.js';
import { decide, enforceTightened, existingPodWarnings, isSignificantPodUpdate, policyApplies } from './admission.js';
import { policyErrorText, policyFromLabels, type Policy } from './policy.js';

/** A namespace's policy and its labels' parse error (upstream's field.ErrorList aggregate text), if any. */
interface NamespacePolicy {
  policy: Policy;
  error?: string;
}

/** The policy of each shared namespace object readNamespace gave (a new stored value is a new object). */
const policies = new WeakMap<KubeObject, NamespacePolicy>();

async function namespacePolicy(store: Store, namespace: string): Promise<NamespacePolicy> {
  const ns = await readNamespace(store, namespace);
  if (!ns) throw errors.internal(`failed to lookup namespace ${namespace}`);
  let cached = policies.get(ns);
  if (!cached) {
    const { policy, errors: errs } = policyFromLabels(ns.metadata?.labels);
    const error = policyErrorText(errs);
    policies.set(ns, (cached = error === undefined ? { policy } : { policy, error }));
  }
  return cached;
}

const AUDIT_ANNOTATION_PREFIX = 'pod-security.kubernetes.io/';

function annotate(ctx: RequestContext, annotations: Record<string, string>): void {
  for (const [k, v] of Object.entries(annotations)) addAuditAnnotation(ctx, `${AUDIT_ANNOTATION_PREFIX}${k}`, v);
}

/**
 * The pod subresources upstream's plugin lets through unexamined (ignoredPodSubresources); any other
 * (ephemeralcontainers) carries a pod whose spec may change and is evaluated.
 */
const IGNORED_POD_SUBRESOURCES = new Set(['exec', 'attach', 'binding', 'eviction', 'log', 'portforward', 'proxy', 'status']);

/** Pods: refused with 403 when the enforce level is violated; warn-level violations become warnings. */
export async function admitPod(obj: KubeObject, old: KubeObject | undefined, ctx: RequestContext, { store }: AdmitEnv, subresource?: string): Promise<void> {
  if (subresource && IGNORED_POD_SUBRESOURCES.has(subresource)) return;
  if (old && !isSignificantPodUpdate(obj, old)) return;
  const { policy, error } = await namespacePolicy(store, obj.metadata.namespace ?? '');
  if (error === undefined && !policyApplies(policy, true)) {
    // upstream's sharedAllowedPrivilegedResponse: privileged:latest whatever the version labels say.
    annotate(ctx, { 'enforce-policy': 'privileged:latest' });
    return;
  }
  const d = decide(policy, obj.metadata, (obj.spec ?? {}) as PodSpec, true, error);
  annotate(ctx, d.auditAnnotations);
  if (d.forbidden) {
    const name = obj.metadata.name ?? '';
    throw failure(403, 'Forbidden', `pods ${JSON.stringify(name)} is forbidden: ${d.forbidden}`, { name, kind: 'pods' });
  }
  ctx.warnings.push(...d.warnings);
}

type Template = { metadata?: KubeObject['metadata']; spec?: PodSpec };

/**
 * Workloads with a pod template (spec.template; a CronJob's spec.jobTemplate.spec.template):
 * warnings only, never a refusal (upstream ValidatePodController). Any workload strategy can use it.
 * A write through any subresource (scale) is let through unexamined, as upstream: it cannot change
 * the template, so `kubectl scale` gets no warnings and its audit event no annotations.
 */
export async function admitPodTemplate(obj: KubeObject, _old: KubeObject | undefined, ctx: RequestContext, { store }: AdmitEnv, subresource?: string): Promise<void> {
  if (subresource) return;
  const template = (obj.spec?.jobTemplate?.spec?.template ?? obj.spec?.template) as Template | undefined;
  if (!template?.spec) return;
  const { policy, error } = await namespacePolicy(store, obj.metadata.namespace ?? '');
  if (error === undefined && !policyApplies(policy, false)) return;
  const d = decide(policy, template.metadata ?? {}, template.spec, false, error);
  annotate(ctx, d.auditAnnotations);
  ctx.warnings.push(...d.warnings);
}

/**
 * Namespaces: invalid PodSecurity labels are refused (422) on create and when changed; a stricter
 * enforce level warns about the pods already there that would violate it. Not through a
 * subresource, as upstream's ValidateNamespace.
 */
export async function admitNamespace(obj: KubeObject, old: KubeObject | undefined, ctx: RequestContext, { store, def }: AdmitEnv, subresource?: string): Promise<void> {
  if (subresource) return;
  const next = policyFromLabels(obj.metadata.labels);
  const prev = old ? policyFromLabels(old.metadata.labels) : undefined;
  const nextErr = next.errors.map((e) => e.detail).join('\n');
  if (next.errors.length && (!prev || nextErr !== prev.errors.map((e) => e.detail).join('\n'))) {
    throw invalid(def, obj.metadata.name, next.errors);
  }
  if (!prev || !enforceTightened(next.policy.enforce, prev.policy.enforce)) return;
  const name = obj.metadata.name ?? '';
  const list = await store.list(`${resourcePrefix(podDef)}${name}/`);
  const pods = list.items.map((kv) => decodeKv(podDef, kv))
    .map((p) => ({ name: p.metadata.name ?? '', meta: p.metadata, spec: p.spec ?? ({} as PodSpec) }));
  ctx.warnings.push(...existingPodWarnings(name, next.policy.enforce, pods));
}
