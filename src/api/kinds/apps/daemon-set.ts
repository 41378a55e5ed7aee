/** apps/v1 DaemonSet: SetDefaults_DaemonSet, ValidateDaemonSet(Update) and the kubectl table, as upstream. */
import type { ObjectMeta } from '../../meta.js';
import { s } from '../../schema/builders.js';
import { child, fe } from '../../schema/errors.js';
import type { Infer } from '../../schema/types.js';
import type { FieldError } from '../../status.js';
import { col, NONE } from '../../table/columns.js';
import { podTemplateSpecSchema } from '../core/pod-spec.js';
import { defineKind, gvk } from '../define.js';
import { labelSelectorSchema, selectorString } from '../meta/label-selector.js';
import { nameIsDNSSubdomain } from '../meta/names.js';
import { standardMetadata, typeMeta } from '../meta/object-meta.js';
import { containerCells } from './common.js';
import { intOrPercent, validateSelectorAndTemplate, validateSelectorImmutable } from './workload-validation.js';

const APPS = 'io.k8s.api.apps.v1';

export const rollingUpdateDaemonSetSchema = s.object({
  maxUnavailable: s.intOrString('The maximum number of DaemonSet pods that can be unavailable during the update. Value can be an absolute number (ex: 5) or a percentage of total number of DaemonSet pods at the start of the update (ex: 10%). Absolute number is calculated from percentage by rounding up. This cannot be 0 if MaxSurge is 0 Default value is 1. Example: when this is set to 30%, at most 30% of the total number of nodes that should be running the daemon pod (i.e. status.desiredNumberScheduled) can have their pods stopped for an update at any given time. The update starts by stopping at most 30% of those DaemonSet pods and then brings up new DaemonSet pods in their place. Once the new pods are available, it then proceeds onto other DaemonSet pods, thus ensuring that at least 70% of original number of DaemonSet pods are available at all times during the update.'),
  maxSurge: s.intOrString('The maximum number of nodes with an existing available DaemonSet pod that can have an updated DaemonSet pod during during an update. Value can be an absolute number (ex: 5) or a percentage of desired pods (ex: 10%). This can not be 0 if MaxUnavailable is 0. Absolute number is calculated from percentage by rounding up to a minimum of 1. Default value is 0. Example: when this is set to 30%, at most 30% of the total number of nodes that should be running the daemon pod (i.e. status.desiredNumberScheduled) can have their a new pod created before the old pod is marked as deleted. The update starts by launching new pods on 30% of nodes. Once an updated pod is available (Ready for at least minReadySeconds) the old DaemonSet pod on that node is marked deleted. If the old pod becomes unavailable for any reason (Ready transitions to false, is evicted, or is drained) an updated pod is immediatedly created on that node without considering surge limits. Allowing surge implies the possibility that the resources consumed by the daemonset on any given node can double if the readiness check fails, and so resource intensive daemonsets should take into account that they may cause evictions during disruption.'),
}, { name: `${APPS}.RollingUpdateDaemonSet`, description: 'Spec to control the desired behavior of daemon set rolling update.' });

export const daemonSetUpdateStrategySchema = s.object({
  type: s.string({ description: 'Type of daemon set update. Can be "RollingUpdate" or "OnDelete". Default is RollingUpdate.\n\nPossible enum values:\n - `"OnDelete"` Replace the old daemons only when it\'s killed\n - `"RollingUpdate"` Replace the old daemons by new ones using rolling update i.e replace them on each node one after the other.', enum: ['OnDelete', 'RollingUpdate'] }),
  rollingUpdate: { ...rollingUpdateDaemonSetSchema, description: 'Rolling update config params. Present only if type = "RollingUpdate".' },
}, { name: `${APPS}.DaemonSetUpdateStrategy`, description: 'DaemonSetUpdateStrategy is a struct used to control the update strategy for a DaemonSet.' });

export const daemonSetSpecSchema = s.object({
  selector: { ...labelSelectorSchema, description: "A label query over pods that are managed by the daemon set. Must match in order to be controlled. It must match the pod template's labels. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors" },
  template: { ...podTemplateSpecSchema, description: "An object that describes the pod that will be created. The DaemonSet will create exactly one copy of this pod on every node that matches the template's node selector (or on every node if no node selector is specified). The only allowed template.spec.restartPolicy value is \"Always\". More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller#pod-template" },
  updateStrategy: { ...daemonSetUpdateStrategySchema, description: 'An update strategy to replace existing DaemonSet pods with new pods.', default: {} },
  minReadySeconds: s.int('The minimum number of seconds for which a newly created DaemonSet pod should be ready without any of its container crashing, for it to be considered available. Defaults to 0 (pod will be considered available as soon as it is ready).'),
  revisionHistoryLimit: s.int('The number of old history to retain to allow rollback. This is a pointer to distinguish between explicit zero and not specified. Defaults to 10.'),
}, { name: `${APPS}.DaemonSetSpec`, required: ['selector', 'template'], description: 'DaemonSetSpec is the specification of a daemon set.' });

export const daemonSetConditionSchema = s.object({
  type: s.string('Type of DaemonSet condition.'),
  status: s.string('Status of the condition, one of True, False, Unknown.'),
  lastTransitionTime: s.time('Last time the condition transitioned from one status to another.'),
  reason: s.string("The reason for the condition's last transition."),
  message: s.string('A human readable message indicating details about the transition.'),
}, { name: `${APPS}.DaemonSetCondition`, required: ['type', 'status'], description: 'DaemonSetCondition describes the state of a DaemonSet at a certain point.' });

export const daemonSetStatusSchema = s.object({
  currentNumberScheduled: s.int('The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod. More info: https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/'),
  numberMisscheduled: s.int('The number of nodes that are running the daemon pod, but are not supposed to run the daemon pod. More info: https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/'),
  desiredNumberScheduled: s.int('The total number of nodes that should be running the daemon pod (including nodes correctly running the daemon pod). More info: https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/'),
  numberReady: s.int('numberReady is the number of nodes that should be running the daemon pod and have one or more of the daemon pod running with a Ready Condition.'),
  observedGeneration: s.int64('The most recent generation observed by the daemon set controller.'),
  updatedNumberScheduled: s.int('The total number of nodes that are running updated daemon pod'),
  numberAvailable: s.int('The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)'),
  numberUnavailable: s.int('The number of nodes that should be running the daemon pod and have none of the daemon pod running and available (ready for at least spec.minReadySeconds)'),
  collisionCount: s.int('Count of hash collisions for the DaemonSet. The DaemonSet controller uses this field as a collision avoidance mechanism when it needs to create the name for the newest ControllerRevision.'),
  conditions: s.array(daemonSetConditionSchema, { description: "Represents the latest available observations of a DaemonSet's current state.", patchMergeKey: 'type', patchStrategy: 'merge', listType: 'map', listMapKeys: ['type'] }),
}, { name: `${APPS}.DaemonSetStatus`, required: ['currentNumberScheduled', 'numberMisscheduled', 'desiredNumberScheduled', 'numberReady'], description: 'DaemonSetStatus represents the current status of a daemon set.' });

export const daemonSetSchema = s.object({
  ...typeMeta,
  metadata: standardMetadata,
  spec: { ...daemonSetSpecSchema, description: 'The desired behavior of this daemon set. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status' },
  status: { ...daemonSetStatusSchema, description: 'The current status of this daemon set. This data may be out of date by some window of time. Populated by the system. Read-only. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status' },
}, { name: `${APPS}.DaemonSet`, gvk: gvk('apps', 'v1', 'DaemonSet'), description: 'DaemonSet represents the configuration of a daemon set.' });

export type DaemonSet = Infer<typeof daemonSetSchema> & { metadata: ObjectMeta };
export type DaemonSetSpec = Infer<typeof daemonSetSpecSchema>;
export type DaemonSetStatus = Infer<typeof daemonSetStatusSchema>;
export type DaemonSetCondition = NonNullable<DaemonSetStatus['conditions']>[number];

/** v1 SetDefaults_DaemonSet: RollingUpdate with maxUnavailable 1 and maxSurge 0, revisionHistoryLimit 10. */
function defaultDaemonSet(ds: DaemonSet): void {
  const spec = ds.spec;
  if (spec) {
    spec.updateStrategy ??= {};
    spec.updateStrategy.type ||= 'RollingUpdate';
    if (spec.updateStrategy.type === 'RollingUpdate') {
      spec.updateStrategy.rollingUpdate ??= {};
      spec.updateStrategy.rollingUpdate.maxUnavailable ??= 1;
      spec.updateStrategy.rollingUpdate.maxSurge ??= 0;
    }
    spec.revisionHistoryLimit ??= 10;
  }
  // The four counters are plain int32 upstream: always present, 0 until the controller writes them.
  ds.status ??= { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 };
  for (const k of ['currentNumberScheduled', 'numberMisscheduled', 'desiredNumberScheduled', 'numberReady'] as const) ds.status[k] ??= 0;
}

/** ValidateDaemonSetSpec (selector, template, restartPolicy, activeDeadlineSeconds, counters, update strategy). */
function validateDaemonSet(ds: DaemonSet): FieldError[] {
  const spec: NonNullable<DaemonSet['spec']> = ds.spec ?? ({} as NonNullable<DaemonSet['spec']>);
  const adsPath = 'spec.template.spec.activeDeadlineSeconds';
  const errs = validateSelectorAndTemplate('daemonset', spec.selector, spec.template, undefined).filter((e) => e.field !== adsPath);
  const ads = spec.template?.spec?.activeDeadlineSeconds;
  if (ads !== undefined) errs.push(fe.invalid(adsPath, ads, 'activeDeadlineSeconds in DaemonSet is not Supported'));
  for (const k of ['minReadySeconds', 'revisionHistoryLimit'] as const) {
    const v = spec[k];
    if (v !== undefined && v < 0) errs.push(fe.invalid(`spec.${k}`, v, 'must be greater than or equal to 0'));
  }
  const sp = 'spec.updateStrategy';
  const strategy = spec.updateStrategy ?? {};
  if (strategy.type === 'RollingUpdate') {
    const ru = strategy.rollingUpdate;
    if (!ru) {
      errs.push(fe.required(child(sp, 'rollingUpdate')));
    } else {
      const mu = intOrPercent(ru.maxUnavailable, `${sp}.rollingUpdate.maxUnavailable`);
      const ms = intOrPercent(ru.maxSurge, `${sp}.rollingUpdate.maxSurge`);
      errs.push(...mu.errs, ...ms.errs);
      const hasUnavailable = ru.maxUnavailable !== undefined && !mu.zero;
      const hasSurge = ru.maxSurge !== undefined && !ms.zero;
      if (hasUnavailable && hasSurge) errs.push(fe.invalid(`${sp}.rollingUpdate.maxSurge`, ru.maxSurge, 'may not be set when maxUnavailable is non-zero'));
      if (!hasUnavailable && !hasSurge) errs.push(fe.required(`${sp}.rollingUpdate.maxUnavailable`, 'cannot be 0 when maxSurge is 0'));
    }
  } else if (strategy.type !== 'OnDelete') {
    errs.push(fe.notSupported(sp, strategy.type ?? '', ['RollingUpdate', 'OnDelete']));
  }
  return errs;
}

export const daemonSets = defineKind<DaemonSet>({
  group: 'apps', version: 'v1', kind: 'DaemonSet', plural: 'daemonsets', namespaced: true, shortNames: ['ds'], categories: ['all'],
  subresources: ['status'],
  schema: daemonSetSchema, nameValidator: nameIsDNSSubdomain,
  defaults: defaultDaemonSet,
  validate: validateDaemonSet,
  validateUpdate: (ds, old) => validateSelectorImmutable(ds.spec?.selector, old.spec?.selector),
  hasStatusSubresource: true, tracksGeneration: true,
  columns: [
    col('Desired', 'integer', 'The total number of nodes that should be running the daemon pod (including nodes correctly running the daemon pod). More info: https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/'),
    col('Current', 'integer', 'The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod. More info: https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/'),
    col('Ready', 'integer', 'numberReady is the number of nodes that should be running the daemon pod and have one or more of the daemon pod running with a Ready Condition.'),
    col('Up-to-date', 'integer', 'The total number of nodes that are running updated daemon pod'),
    col('Available', 'integer', 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)'),
    col('Node Selector', 'string', 'NodeSelector is a selector which must be true for the pod to fit on a node. Selector which must match a node\'s labels for the pod to be scheduled on that node. More info: https://kubernetes.io/docs/concepts/configuration/assign-pod-node/'),
    col('Containers', 'string', 'Names of each container in the template.', true),
    col('Images', 'string', 'Images referenced by each container in the template.', true),
    col('Selector', 'string', 'A label query over pods that are managed by the daemon set. Must match in order to be controlled. It must match the pod template\'s labels. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors', true),
  ],
  cells: (ds) => {
    const st = ds.status;
    const ns = ds.spec?.template?.spec?.nodeSelector;
    const nodeSelector = ns && Object.keys(ns).length ? Object.entries(ns).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => `${k}=${v}`).join(',') : NONE;
    return [
      st?.desiredNumberScheduled ?? 0, st?.currentNumberScheduled ?? 0, st?.numberReady ?? 0, st?.updatedNumberScheduled ?? 0, st?.numberAvailable ?? 0,
      nodeSelector, ...containerCells(ds.spec?.template?.spec?.containers), selectorString(ds.spec?.selector),
    ];
  },
});
