/**
 * policy/v1 PodDisruptionBudget: schema, validation (ValidatePodDisruptionBudget: minAvailable xor
 * maxUnavailable, each a non-negative int or a percent up to 100%, the selector, the
 * unhealthyPodEvictionPolicy enum) and printer columns (printPodDisruptionBudget).
 */
import type { ObjectMeta } from '../../meta.js';
import { s } from '../../schema/builders.js';
import { fe } from '../../schema/errors.js';
import type { Infer } from '../../schema/types.js';
import type { FieldError } from '../../status.js';
import { col } from '../../table/columns.js';
import { intOrPercent } from '../apps/workload-validation.js';
import { defineKind, gvk } from '../define.js';
import { labelSelectorSchema, selectorMatches, validateLabelSelector } from '../meta/label-selector.js';
import { nameIsDNSSubdomain } from '../meta/names.js';
import { standardMetadata, typeMeta } from '../meta/object-meta.js';

const POLICY = 'io.k8s.api.policy.v1';
export const UNHEALTHY_POD_EVICTION_POLICIES = ['AlwaysAllow', 'IfHealthyBudget'] as const;
/** The eviction API refuses once this many evictions wait for the controller (MaxDisruptedPodSize). */
export const MAX_DISRUPTED_POD_SIZE = 2000;
/** policyv1.DisruptionBudgetCause: the cause type of a 429 from the eviction API. */
export const DISRUPTION_BUDGET_CAUSE = 'DisruptionBudget';
/** The PDB condition the controller and the eviction API maintain. */
export const DISRUPTION_ALLOWED_CONDITION = 'DisruptionAllowed';

/** metav1.Condition (PDB status conditions). */
export const metaConditionSchema = s.object({
  type: s.string('type of condition in CamelCase or in foo.example.com/CamelCase.'),
  status: s.string('status of the condition, one of True, False, Unknown.'),
  observedGeneration: s.int64('observedGeneration represents the .metadata.generation that the condition was set based upon.'),
  lastTransitionTime: s.time('lastTransitionTime is the last time the condition transitioned from one status to another.'),
  reason: s.string("reason contains a programmatic identifier indicating the reason for the condition's last transition."),
  message: s.string('message is a human readable message indicating details about the transition. This may be an empty string.'),
  // message is required upstream but may be empty (SufficientPods has none); the schema walker counts '' as missing.
}, { name: 'io.k8s.apimachinery.pkg.apis.meta.v1.Condition', required: ['type', 'status', 'lastTransitionTime', 'reason'], description: 'Condition contains details for one aspect of the current state of this API Resource.' });

export const podDisruptionBudgetSpecSchema = s.object({
  minAvailable: s.intOrString('An eviction is allowed if at least "minAvailable" pods selected by "selector" will still be available after the eviction, i.e. even in the absence of the evicted pod.  So for example you can prevent all voluntary evictions by specifying "100%".'),
  selector: { ...labelSelectorSchema, description: 'Label query over pods whose evictions are managed by the disruption budget. A null selector will match no pods, while an empty ({}) selector will select all pods within the namespace.', patchStrategy: 'replace' },
  maxUnavailable: s.intOrString('An eviction is allowed if at most "maxUnavailable" pods selected by "selector" are unavailable after the eviction, i.e. even in absence of the evicted pod. For example, one can prevent all voluntary evictions by specifying 0. This is a mutually exclusive setting with "minAvailable".'),
  unhealthyPodEvictionPolicy: s.string({ description: 'UnhealthyPodEvictionPolicy defines the criteria for when unhealthy pods should be considered for eviction. Valid policies are IfHealthyBudget and AlwaysAllow. If no policy is specified, the default behavior will be used, which corresponds to the IfHealthyBudget policy.', enum: UNHEALTHY_POD_EVICTION_POLICIES }),
}, { name: `${POLICY}.PodDisruptionBudgetSpec`, description: 'PodDisruptionBudgetSpec is a description of a PodDisruptionBudget.' });

export const podDisruptionBudgetStatusSchema = s.object({
  observedGeneration: s.int64("Most recent generation observed when updating this PDB status. DisruptionsAllowed and other status information is valid only if observedGeneration equals to PDB's object generation."),
  disruptedPods: s.map(s.time(), { description: 'DisruptedPods contains information about pods whose eviction was processed by the API server eviction subresource handler but has not yet been observed by the PodDisruptionBudget controller. A pod will be in this map from the time when the API server processed the eviction request to the time when the pod is seen by PDB controller as having been marked for deletion (or after a timeout). The key in the map is the name of the pod and the value is the time when the API server processed the eviction request. If the deletion didn\'t occur and a pod is still there it will be removed from the list automatically by PodDisruptionBudget controller after some time. If everything goes smooth this map should be empty for the most of the time. Large number of entries in the map may indicate problems with pod deletions.' }),
  disruptionsAllowed: s.int('Number of pod disruptions that are currently allowed.'),
  currentHealthy: s.int('current number of healthy pods'),
  desiredHealthy: s.int('minimum desired number of healthy pods'),
  expectedPods: s.int('total number of pods counted by this disruption budget'),
  conditions: s.array(metaConditionSchema, { description: 'Conditions contain conditions for PDB. The disruption controller sets the DisruptionAllowed condition.', patchMergeKey: 'type', patchStrategy: 'merge', listType: 'map', listMapKeys: ['type'] }),
}, { name: `${POLICY}.PodDisruptionBudgetStatus`, required: ['disruptionsAllowed', 'currentHealthy', 'desiredHealthy', 'expectedPods'], description: 'PodDisruptionBudgetStatus represents information about the status of a PodDisruptionBudget. Status may trail the actual state of a system.' });

export const podDisruptionBudgetSchema = s.object({
  ...typeMeta,
  metadata: standardMetadata,
  spec: { ...podDisruptionBudgetSpecSchema, description: 'Specification of the desired behavior of the PodDisruptionBudget.' },
  status: { ...podDisruptionBudgetStatusSchema, description: 'Most recently observed status of the PodDisruptionBudget.' },
}, { name: `${POLICY}.PodDisruptionBudget`, gvk: gvk('policy', 'v1', 'PodDisruptionBudget'), description: 'PodDisruptionBudget is an object to define the max disruption that can be caused to a collection of pods' });

export type PodDisruptionBudget = Infer<typeof podDisruptionBudgetSchema> & { metadata: ObjectMeta };
export type PodDisruptionBudgetSpec = Infer<typeof podDisruptionBudgetSpecSchema>;
export type PodDisruptionBudgetStatus = Infer<typeof podDisruptionBudgetStatusSchema>;

/** ValidatePodDisruptionBudgetSpec. */
export function validatePodDisruptionBudget(pdb: PodDisruptionBudget): FieldError[] {
  const spec = pdb.spec ?? {};
  const errs: FieldError[] = [];
  if (spec.minAvailable !== undefined && spec.maxUnavailable !== undefined) {
    errs.push(fe.invalid('spec', spec, 'minAvailable and maxUnavailable cannot be both set'));
  }
  errs.push(...intOrPercent(spec.minAvailable, 'spec.minAvailable').errs);
  errs.push(...intOrPercent(spec.maxUnavailable, 'spec.maxUnavailable').errs);
  errs.push(...validateLabelSelector(spec.selector, 'spec.selector'));
  const st = pdb.status;
  if (st) {
    for (const k of ['disruptionsAllowed', 'currentHealthy', 'desiredHealthy', 'expectedPods'] as const) {
      const v = st[k];
      if (v !== undefined && v < 0) errs.push(fe.invalid(`status.${k}`, v, 'must be greater than or equal to 0'));
    }
  }
  return errs;
}

/**
 * Whether the budget covers `pod` (same namespace, selector matches). A missing or empty selector
 * selects nothing, as the eviction API, the disruption controller and preemption all read it.
 */
export function budgetSelects(pdb: Pick<PodDisruptionBudget, 'metadata' | 'spec'>, pod: { metadata: { namespace?: string; labels?: Record<string, string> } }): boolean {
  const sel = pdb.spec?.selector;
  if (!sel || (Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0)) return false;
  return pdb.metadata.namespace === pod.metadata.namespace && selectorMatches(sel, pod.metadata.labels);
}

const intOrStringCell = (v: number | string | undefined): string => (v === undefined ? 'N/A' : String(v));

export const podDisruptionBudgets = defineKind<PodDisruptionBudget>({
  group: 'policy', version: 'v1', kind: 'PodDisruptionBudget', plural: 'poddisruptionbudgets', namespaced: true, shortNames: ['pdb'],
  subresources: ['status'],
  schema: podDisruptionBudgetSchema, nameValidator: nameIsDNSSubdomain,
  validate: validatePodDisruptionBudget,
  hasStatusSubresource: true, tracksGeneration: true,
  columns: [
    col('Min Available', 'string', 'The minimum number of pods that must be available simultaneously.  This can be either an integer or a string specifying a percentage, e.g. "28%".'),
    col('Max Unavailable', 'string', 'The maximum number of pods that may be unavailable simultaneously.  This can be either an integer or a string specifying a percentage, e.g. "28%".'),
    col('Allowed Disruptions', 'integer', 'Calculated number of pods that may be disrupted at this time.'),
  ],
  cells: (pdb) => [intOrStringCell(pdb.spec?.minAvailable), intOrStringCell(pdb.spec?.maxUnavailable), pdb.status?.disruptionsAllowed ?? 0],
  protobufMessage: 'k8s.io.api.policy.v1.PodDisruptionBudget',
});
