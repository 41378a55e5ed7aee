/**
 * apps/v1 StatefulSet: SetDefaults_StatefulSet, ValidateStatefulSet(Update) and the kubectl table,
 * as upstream (pkg/apis/apps/v1/defaults.go, pkg/apis/apps/validation/validation.go,
 * pkg/printers/internalversion). MaxUnavailableStatefulSet is treated as enabled (maxUnavailable
 * defaults to 1 under rollingUpdate), StatefulSetAutoDeletePVC and StatefulSetStartOrdinal are GA.
 */
import { deepEqual } from '../../schema/equal.js';
import type { ObjectMeta } from '../../meta.js';
import { s } from '../../schema/builders.js';
import { child, fe, index } from '../../schema/errors.js';
import type { Infer } from '../../schema/types.js';
import type { FieldError } from '../../status.js';
import { col } from '../../table/columns.js';
import { persistentVolumeClaimSchema, validatePersistentVolumeClaimSpec } from '../core/persistent-volume-claim.js';
import { podTemplateSpecSchema, type PodSpec } from '../core/pod-spec.js';
import { validatePodSpec } from '../core/pod-spec-validation.js';
import { defineKind, gvk } from '../define.js';
import { labelSelectorSchema } from '../meta/label-selector.js';
import { isDNS1123Subdomain, nameIsDNSSubdomain } from '../meta/names.js';
import { standardMetadata, typeMeta } from '../meta/object-meta.js';
import { containerCells, workloadConditionSchema } from './common.js';
import { intOrPercent, validateSelectorAndTemplate, validateSelectorImmutable } from './workload-validation.js';

const APPS = 'io.k8s.api.apps.v1';

export const rollingUpdateStatefulSetStrategySchema = s.object({
  partition: s.int('Partition indicates the ordinal at which the StatefulSet should be partitioned for updates. During a rolling update, all pods from ordinal Replicas-1 to Partition are updated. All pods from ordinal Partition-1 to 0 remain untouched. This is helpful in being able to do a canary based deployment. The default value is 0.'),
  maxUnavailable: s.intOrString('The maximum number of pods that can be unavailable during the update. Value can be an absolute number (ex: 5) or a percentage of desired pods (ex: 10%). Absolute number is calculated from percentage by rounding up. This can not be 0. Defaults to 1. This field is alpha-level and is only honored by servers that enable the MaxUnavailableStatefulSet feature. The field applies to all pods in the range 0 to Replicas-1. That means if there is any unavailable pod in the range 0 to Replicas-1, it will be counted towards MaxUnavailable.'),
}, { name: `${APPS}.RollingUpdateStatefulSetStrategy`, description: 'RollingUpdateStatefulSetStrategy is used to communicate parameter for RollingUpdateStatefulSetStrategyType.' });

export const statefulSetUpdateStrategySchema = s.object({
  type: s.string({ description: 'Type indicates the type of the StatefulSetUpdateStrategy. Default is RollingUpdate.\n\nPossible enum values:\n - `"OnDelete"` triggers the legacy behavior. Version tracking and ordered rolling restarts are disabled. Pods are recreated from the StatefulSetSpec when they are manually deleted. When a scale operation is performed with this strategy,specification version indicated by the StatefulSet\'s currentRevision.\n - `"RollingUpdate"` indicates that update will be applied to all Pods in the StatefulSet with respect to the StatefulSet ordering constraints. When a scale operation is performed with this strategy, new Pods will be created from the specification version indicated by the StatefulSet\'s updateRevision.', enum: ['OnDelete', 'RollingUpdate'] }),
  rollingUpdate: { ...rollingUpdateStatefulSetStrategySchema, description: 'RollingUpdate is used to communicate parameters when Type is RollingUpdateStatefulSetStrategyType.' },
}, { name: `${APPS}.StatefulSetUpdateStrategy`, description: 'StatefulSetUpdateStrategy indicates the strategy that the StatefulSet controller will use to perform updates. It includes any additional parameters necessary to perform the update for the indicated strategy.' });

export const statefulSetPersistentVolumeClaimRetentionPolicySchema = s.object({
  whenDeleted: s.string('WhenDeleted specifies what happens to PVCs created from StatefulSet VolumeClaimTemplates when the StatefulSet is deleted. The default policy of `Retain` causes PVCs to not be affected by StatefulSet deletion. The `Delete` policy causes those PVCs to be deleted.'),
  whenScaled: s.string('WhenScaled specifies what happens to PVCs created from StatefulSet VolumeClaimTemplates when the StatefulSet is scaled down. The default policy of `Retain` causes PVCs to not be affected by a scaledown. The `Delete` policy causes the associated PVCs for any excess pods above the replica count to be deleted.'),
}, { name: `${APPS}.StatefulSetPersistentVolumeClaimRetentionPolicy`, description: 'StatefulSetPersistentVolumeClaimRetentionPolicy describes the policy used for PVCs created from the StatefulSet VolumeClaimTemplates.' });

export const statefulSetOrdinalsSchema = s.object({
  start: s.int('start is the number representing the first replica\'s index. It may be used to number replicas from an alternate index (eg: 1-indexed) over the default 0-indexed names, or to orchestrate progressive movement of replicas from one StatefulSet to another. If set, replica indices will be in the range:\n  [.spec.ordinals.start, .spec.ordinals.start + .spec.replicas).\nIf unset, defaults to 0. Replica indices will be in the range:\n  [0, .spec.replicas).'),
}, { name: `${APPS}.StatefulSetOrdinals`, description: 'StatefulSetOrdinals describes the policy used for replica ordinal assignment in this StatefulSet.' });

/**
 * The template's pod spec is checked with a volume for each claim template added (unless the
 * template has a volume of that name, which the claim replaces): a volumeMount may name a claim
 * template. Upstream validates no template pod spec for StatefulSets, for this reason (its TODO:
 * "check that the union of the volumes in the template and volume claims validates"); we do that.
 */
function validateTemplatePodSpec(spec: PodSpec, path: string, root: unknown): FieldError[] {
  const volumes = spec.volumes ?? [];
  const have = new Set(volumes.map((v) => v.name));
  const claims = ((root as StatefulSet | undefined)?.spec?.volumeClaimTemplates ?? [])
    .map((t) => t.metadata?.name)
    .filter((n): n is string => !!n && !have.has(n))
    .map((name) => ({ name, persistentVolumeClaim: { claimName: name } }));
  return validatePodSpec(claims.length ? { ...spec, volumes: [...volumes, ...claims] } : spec, path);
}

const statefulSetTemplateSchema = {
  ...podTemplateSpecSchema,
  props: { ...podTemplateSpecSchema.props, spec: { ...podTemplateSpecSchema.props.spec, validator: validateTemplatePodSpec } },
};

export const statefulSetSpecSchema = s.object({
  replicas: s.int('replicas is the desired number of replicas of the given Template. These are replicas in the sense that they are instantiations of the same Template, but individual replicas also have a consistent identity. If unspecified, defaults to 1.'),
  selector: { ...labelSelectorSchema, description: "selector is a label query over pods that should match the replica count. It must match the pod template's labels. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors" },
  template: { ...statefulSetTemplateSchema, description: 'template is the object that describes the pod that will be created if insufficient replicas are detected. Each pod stamped out by the StatefulSet will fulfill this Template, but have a unique identity from the rest of the StatefulSet. Each pod will be named with the format <statefulsetname>-<podindex>. For example, a pod in a StatefulSet named "web" with index number "3" would be named "web-3". The only allowed template.spec.restartPolicy value is "Always".' },
  volumeClaimTemplates: s.array(persistentVolumeClaimSchema, { description: 'volumeClaimTemplates is a list of claims that pods are allowed to reference. The StatefulSet controller is responsible for mapping network identities to claims in a way that maintains the identity of a pod. Every claim in this list must have at least one matching (by name) volumeMount in one container in the template. A claim in this list takes precedence over any volumes in the template, with the same name.', listType: 'atomic' }),
  serviceName: s.string('serviceName is the name of the service that governs this StatefulSet. This service must exist before the StatefulSet, and is responsible for the network identity of the set. Pods get DNS/hostnames that follow the pattern: pod-specific-string.serviceName.default.svc.cluster.local where "pod-specific-string" is managed by the StatefulSet controller.'),
  podManagementPolicy: s.string({ description: 'podManagementPolicy controls how pods are created during initial scale up, when replacing pods on nodes, or when scaling down. The default policy is `OrderedReady`, where pods are created in increasing order (pod-0, then pod-1, etc) and the controller will wait until each pod is ready before continuing. When scaling down, the pods are removed in the opposite order. The alternative policy is `Parallel` which will create pods in parallel to match the desired scale without waiting, and on scale down will delete all pods at once.\n\nPossible enum values:\n - `"OrderedReady"` will create pods in strictly increasing order on scale up and strictly decreasing order on scale down, progressing only when the previous pod is ready or terminated. At most one pod will be changed at any time.\n - `"Parallel"` will create and delete pods as soon as the stateful set replica count is changed, and will not wait for pods to be ready or complete termination.', enum: ['OrderedReady', 'Parallel'] }),
  updateStrategy: { ...statefulSetUpdateStrategySchema, description: 'updateStrategy indicates the StatefulSetUpdateStrategy that will be employed to update Pods in the StatefulSet when a revision is made to Template.' },
  revisionHistoryLimit: s.int("revisionHistoryLimit is the maximum number of revisions that will be maintained in the StatefulSet's revision history. The revision history consists of all revisions not represented by a currently applied StatefulSetSpec version. The default value is 10."),
  minReadySeconds: s.int('Minimum number of seconds for which a newly created pod should be ready without any of its container crashing for it to be considered available. Defaults to 0 (pod will be considered available as soon as it is ready)'),
  persistentVolumeClaimRetentionPolicy: { ...statefulSetPersistentVolumeClaimRetentionPolicySchema, description: 'persistentVolumeClaimRetentionPolicy describes the lifecycle of persistent volume claims created from volumeClaimTemplates. By default, all persistent volume claims are created as needed and retained until manually deleted. This policy allows the lifecycle to be altered, for example by deleting persistent volume claims when their stateful set is deleted, or when their pod is scaled down.' },
  ordinals: { ...statefulSetOrdinalsSchema, description: 'ordinals controls the numbering of replica indices in a StatefulSet. The default ordinals behavior assigns a "0" index to the first replica and increments the index by one for each additional replica requested.' },
}, { name: `${APPS}.StatefulSetSpec`, required: ['selector', 'template'], description: 'A StatefulSetSpec is the specification of a StatefulSet.' });

export const statefulSetStatusSchema = s.object({
  observedGeneration: s.int64("observedGeneration is the most recent generation observed for this StatefulSet. It corresponds to the StatefulSet's generation, which is updated on mutation by the API Server."),
  replicas: s.int('replicas is the number of Pods created by the StatefulSet controller.'),
  readyReplicas: s.int('readyReplicas is the number of pods created for this StatefulSet with a Ready Condition.'),
  currentReplicas: s.int('currentReplicas is the number of Pods created by the StatefulSet controller from the StatefulSet version indicated by currentRevision.'),
  updatedReplicas: s.int('updatedReplicas is the number of Pods created by the StatefulSet controller from the StatefulSet version indicated by updateRevision.'),
  currentRevision: s.string('currentRevision, if not empty, indicates the version of the StatefulSet used to generate Pods in the sequence [0,currentReplicas).'),
  updateRevision: s.string('updateRevision, if not empty, indicates the version of the StatefulSet used to generate Pods in the sequence [replicas-updatedReplicas,replicas)'),
  collisionCount: s.int('collisionCount is the count of hash collisions for the StatefulSet. The StatefulSet controller uses this field as a collision avoidance mechanism when it needs to create the name for the newest ControllerRevision.'),
  conditions: s.array(workloadConditionSchema('StatefulSetCondition', 'statefulset'), { description: "Represents the latest available observations of a statefulset's current state.", patchMergeKey: 'type', patchStrategy: 'merge', listType: 'map', listMapKeys: ['type'] }),
  availableReplicas: s.int('Total number of available pods (ready for at least minReadySeconds) targeted by this statefulset.'),
}, { name: `${APPS}.StatefulSetStatus`, required: ['replicas'], description: 'StatefulSetStatus represents the current state of a StatefulSet.' });

export const statefulSetSchema = s.object({
  ...typeMeta,
  metadata: standardMetadata,
  spec: { ...statefulSetSpecSchema, description: 'Spec defines the desired identities of pods in this set.' },
  status: { ...statefulSetStatusSchema, description: 'Status is the current status of Pods in this StatefulSet. This data may be out of date by some window of time.' },
}, { name: `${APPS}.StatefulSet`, gvk: gvk('apps', 'v1', 'StatefulSet'), description: 'StatefulSet represents a set of pods with consistent identities. Identities are defined as:\n  - Network: A single stable DNS and hostname.\n  - Storage: As many VolumeClaims as requested.\n\nThe StatefulSet guarantees that a given network identity will always map to the same storage identity.' });

export type StatefulSet = Infer<typeof statefulSetSchema> & { metadata: ObjectMeta };
export type StatefulSetSpec = Infer<typeof statefulSetSpecSchema>;
export type StatefulSetStatus = Infer<typeof statefulSetStatusSchema>;

/** v1 SetDefaults_StatefulSet (plus the claim templates' volumeMode, SetDefaults_PersistentVolumeClaimSpec). */
function defaultStatefulSet(ss: StatefulSet): void {
  const spec = ss.spec;
  if (spec) {
    spec.podManagementPolicy ||= 'OrderedReady';
    spec.updateStrategy ??= {};
    if (!spec.updateStrategy.type) {
      spec.updateStrategy.type = 'RollingUpdate';
      spec.updateStrategy.rollingUpdate ??= {};
    }
    const ru = spec.updateStrategy.rollingUpdate;
    if (spec.updateStrategy.type === 'RollingUpdate' && ru) {
      ru.partition ??= 0;
      ru.maxUnavailable ??= 1;
    }
    spec.persistentVolumeClaimRetentionPolicy ??= {};
    spec.persistentVolumeClaimRetentionPolicy.whenDeleted ||= 'Retain';
    spec.persistentVolumeClaimRetentionPolicy.whenScaled ||= 'Retain';
    spec.replicas ??= 1;
    spec.revisionHistoryLimit ??= 10;
    for (const t of spec.volumeClaimTemplates ?? []) {
      t.spec ??= {};
      t.spec.volumeMode ??= 'Filesystem';
    }
  }
  // replicas and availableReplicas are plain int32 upstream: always present.
  ss.status ??= { replicas: 0 };
  ss.status.replicas ??= 0;
  ss.status.availableReplicas ??= 0;
}

const RETENTION = ['Retain', 'Delete'];

/** ValidateStatefulSetSpec. */
function validateStatefulSet(ss: StatefulSet): FieldError[] {
  const spec: NonNullable<StatefulSet['spec']> = ss.spec ?? ({} as NonNullable<StatefulSet['spec']>);
  const errs = validateSelectorAndTemplate('statefulset', spec.selector, spec.template, spec.replicas)
    .map((e) => (e.field === 'spec.template.spec.activeDeadlineSeconds' ? fe.forbidden(e.field, 'activeDeadlineSeconds in StatefulSet is not Supported') : e));
  const pmp = spec.podManagementPolicy;
  if (!pmp) errs.push(fe.required('spec.podManagementPolicy'));
  else if (pmp !== 'OrderedReady' && pmp !== 'Parallel') errs.push(fe.invalid('spec.podManagementPolicy', pmp, 'must be \'OrderedReady\' or \'Parallel\''));
  errs.push(...validateUpdateStrategy(spec));
  const policy = spec.persistentVolumeClaimRetentionPolicy ?? {};
  for (const k of ['whenDeleted', 'whenScaled'] as const) {
    const v = policy[k];
    if (v !== undefined && !RETENTION.includes(v)) errs.push(fe.notSupported(`spec.persistentVolumeClaimRetentionPolicy.${k}`, v, RETENTION));
  }
  for (const k of ['revisionHistoryLimit', 'minReadySeconds'] as const) {
    const v = spec[k];
    if (v !== undefined && v < 0) errs.push(fe.invalid(`spec.${k}`, v, 'must be greater than or equal to 0'));
  }
  const start = spec.ordinals?.start;
  if (start !== undefined && start < 0) errs.push(fe.invalid('spec.ordinals.start', start, 'must be greater than or equal to 0'));
  for (const [i, t] of (spec.volumeClaimTemplates ?? []).entries()) {
    const path = index('spec.volumeClaimTemplates', i);
    const name = t.metadata?.name;
    if (!name) errs.push(fe.required(`${path}.metadata.name`, 'name or generateName is required'));
    else for (const m of isDNS1123Subdomain(name)) errs.push(fe.invalid(`${path}.metadata.name`, name, m));
    errs.push(...validatePersistentVolumeClaimSpec(t.spec, `${path}.spec`));
  }
  return errs;
}

function validateUpdateStrategy(spec: StatefulSetSpec): FieldError[] {
  const sp = 'spec.updateStrategy';
  const strategy = spec.updateStrategy ?? {};
  const ru = strategy.rollingUpdate;
  if (!strategy.type) return [fe.required(child(sp, 'type'))];
  if (strategy.type === 'OnDelete') {
    return ru ? [fe.invalid(child(sp, 'rollingUpdate'), ru, `only allowed for updateStrategy 'RollingUpdate'`)] : [];
  }
  if (strategy.type !== 'RollingUpdate') return [fe.invalid(child(sp, 'type'), strategy.type, 'must be \'RollingUpdate\' or \'OnDelete\'')];
  if (!ru) return [];
  const errs: FieldError[] = [];
  if (ru.partition !== undefined && ru.partition < 0) errs.push(fe.invalid(`${sp}.rollingUpdate.partition`, ru.partition, 'must be greater than or equal to 0'));
  if (ru.maxUnavailable !== undefined) {
    const mu = intOrPercent(ru.maxUnavailable, `${sp}.rollingUpdate.maxUnavailable`);
    errs.push(...mu.errs);
    if (mu.zero) errs.push(fe.invalid(`${sp}.rollingUpdate.maxUnavailable`, ru.maxUnavailable, 'cannot be 0'));
  }
  return errs;
}

/** ValidateStatefulSetUpdate: only these spec fields may change (selector errors named on their own). */
const MUTABLE = ['replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds', 'revisionHistoryLimit'] as const;

function validateStatefulSetUpdate(ss: StatefulSet, old: StatefulSet): FieldError[] {
  const errs = validateSelectorImmutable(ss.spec?.selector, old.spec?.selector);
  const rest = (x: StatefulSet) => {
    const copy: Record<string, unknown> = { ...x.spec };
    for (const k of [...MUTABLE, 'selector']) delete copy[k];
    return copy;
  };
  if (!deepEqual(rest(ss), rest(old))) {
    errs.push(fe.forbidden('spec', "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"));
  }
  return errs;
}

export const statefulSets = defineKind<StatefulSet>({
  group: 'apps', version: 'v1', kind: 'StatefulSet', plural: 'statefulsets', namespaced: true, shortNames: ['sts'], categories: ['all'],
  subresources: ['status', 'scale'],
  scale: { specReplicasPath: 'spec.replicas', statusReplicasPath: 'status.replicas', selectorPath: 'spec.selector', checksUid: true },
  schema: statefulSetSchema, nameValidator: nameIsDNSSubdomain,
  defaults: defaultStatefulSet,
  validate: validateStatefulSet,
  validateUpdate: validateStatefulSetUpdate,
  hasStatusSubresource: true, tracksGeneration: true,
  columns: [
    col('Ready', 'string', 'Number of the pod with ready state'),
    col('Containers', 'string', 'Names of each container in the template.', true),
    col('Images', 'string', 'Images referenced by each container in the template.', true),
  ],
  cells: (ss) => [`${ss.status?.readyReplicas ?? 0}/${ss.spec?.replicas ?? 0}`, ...containerCells(ss.spec?.template?.spec?.containers)],
});
