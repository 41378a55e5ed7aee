/**
 * v1 ReplicationController as upstream (legacy manifests still use it): SetDefaults_ReplicationController
 * (an empty selector and empty labels taken from the template's labels, replicas 1),
 * ValidateReplicationController (selector required and matching the template, restartPolicy
 * Always), the status and scale subresources, and printReplicationController's columns.
 */
import type { ObjectMeta } from '../../meta.js';
import { s } from '../../schema/builders.js';
import { fe } from '../../schema/errors.js';
import type { Infer } from '../../schema/types.js';
import type { FieldError } from '../../status.js';
import { col } from '../../table/columns.js';
import { containerCells } from '../apps/common.js';
import { validateSelectorAndTemplate } from '../apps/workload-validation.js';
import { defineKind, gvk } from '../define.js';
import { nameIsDNSSubdomain } from '../meta/names.js';
import { standardMetadata, typeMeta } from '../meta/object-meta.js';
import { podTemplateSpecSchema } from './pod-spec.js';

const V1 = 'io.k8s.api.core.v1';

export const replicationControllerSpecSchema = s.object({
  replicas: s.int('Replicas is the number of desired replicas. This is a pointer to distinguish between explicit zero and unspecified. Defaults to 1. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller#what-is-a-replicationcontroller'),
  minReadySeconds: s.int('Minimum number of seconds for which a newly created pod should be ready without any of its container crashing, for it to be considered available. Defaults to 0 (pod will be considered available as soon as it is ready)'),
  selector: s.stringMap({ description: 'Selector is a label query over pods that should match the Replicas count. If Selector is empty, it is defaulted to the labels present on the Pod template. Label keys and values that must match in order to be controlled by this replication controller, if empty defaulted to labels on Pod template. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors', mapType: 'atomic' }),
  template: { ...podTemplateSpecSchema, description: 'Template is the object that describes the pod that will be created if insufficient replicas are detected. This takes precedence over a TemplateRef. The only allowed template.spec.restartPolicy value is "Always". More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller#pod-template' },
}, { name: `${V1}.ReplicationControllerSpec`, description: 'ReplicationControllerSpec is the specification of a replication controller.' });

export const replicationControllerStatusSchema = s.object({
  replicas: s.int('Replicas is the most recently observed number of replicas. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller#what-is-a-replicationcontroller'),
  fullyLabeledReplicas: s.int('The number of pods that have labels matching the labels of the pod template of the replication controller.'),
  readyReplicas: s.int('The number of ready replicas for this replication controller.'),
  availableReplicas: s.int('The number of available replicas (ready for at least minReadySeconds) for this replication controller.'),
  observedGeneration: s.int64('ObservedGeneration reflects the generation of the most recently observed replication controller.'),
  conditions: s.array(s.object({
    type: s.string('Type of replication controller condition.'),
    status: s.string('Status of the condition, one of True, False, Unknown.'),
    lastTransitionTime: s.time('The last time the condition transitioned from one status to another.'),
    reason: s.string("The reason for the condition's last transition."),
    message: s.string('A human readable message indicating details about the transition.'),
  }, { name: `${V1}.ReplicationControllerCondition`, required: ['type', 'status'], description: 'ReplicationControllerCondition describes the state of a replication controller at a certain point.' }), {
    description: "Represents the latest available observations of a replication controller's current state.", patchMergeKey: 'type', patchStrategy: 'merge', listType: 'map', listMapKeys: ['type'],
  }),
}, { name: `${V1}.ReplicationControllerStatus`, required: ['replicas'], description: 'ReplicationControllerStatus represents the current status of a replication controller.' });

export const replicationControllerSchema = s.object({
  ...typeMeta,
  metadata: { ...standardMetadata, description: "If the Labels of a ReplicationController are empty, they are defaulted to be the same as the Pod(s) that the replication controller manages. Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata" },
  spec: { ...replicationControllerSpecSchema, description: 'Spec defines the specification of the desired behavior of the replication controller. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status' },
  status: { ...replicationControllerStatusSchema, description: 'Status is the most recently observed status of the replication controller. This data may be out of date by some window of time. Populated by the system. Read-only. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status' },
}, { name: `${V1}.ReplicationController`, gvk: gvk('', 'v1', 'ReplicationController'), description: 'ReplicationController represents the configuration of a replication controller.' });

export type ReplicationController = Infer<typeof replicationControllerSchema> & { metadata: ObjectMeta };

function defaultReplicationController(rc: ReplicationController): void {
  rc.spec ??= {};
  const labels = rc.spec.template?.metadata?.labels;
  if (labels) {
    if (Object.keys(rc.spec.selector ?? {}).length === 0) rc.spec.selector = { ...labels };
    if (Object.keys(rc.metadata.labels ?? {}).length === 0) rc.metadata.labels = { ...labels };
  }
  rc.spec.replicas ??= 1;
  rc.status ??= { replicas: 0 };
  rc.status.replicas ??= 0;
}

function validateReplicationController(rc: ReplicationController): FieldError[] {
  const selector = rc.spec?.selector ?? {};
  // ValidateNonEmptySelector: an empty map selector is Required (not the apps kinds' "empty selector is invalid").
  if (Object.keys(selector).length === 0) {
    return [fe.required('spec.selector'), ...validateSelectorAndTemplate('replicationcontroller', undefined, rc.spec?.template, rc.spec?.replicas).filter((e) => e.field !== 'spec.selector')];
  }
  const errs = validateSelectorAndTemplate('replicationcontroller', { matchLabels: selector }, rc.spec?.template, rc.spec?.replicas);
  if ((rc.spec?.minReadySeconds ?? 0) < 0) errs.push(fe.invalid('spec.minReadySeconds', rc.spec?.minReadySeconds, 'must be greater than or equal to 0'));
  return errs;
}

export const replicationControllers = defineKind<ReplicationController>({
  group: '', version: 'v1', kind: 'ReplicationController', plural: 'replicationcontrollers', namespaced: true, shortNames: ['rc'], categories: ['all'],
  subresources: ['status', 'scale'],
  scale: { specReplicasPath: 'spec.replicas', statusReplicasPath: 'status.replicas', selectorPath: 'spec.selector', selectorIsLabelMap: true, checksUid: true },
  schema: replicationControllerSchema, nameValidator: nameIsDNSSubdomain,
  defaults: defaultReplicationController,
  validate: validateReplicationController,
  hasStatusSubresource: true, tracksGeneration: true,
  selectableFields: (rc) => ({ 'status.replicas': String(rc.status?.replicas ?? 0) }),
  columns: [
    col('Desired', 'integer', 'Replicas is the number of desired replicas. This is a pointer to distinguish between explicit zero and unspecified. Defaults to 1. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller/#what-is-a-replicationcontroller'),
    col('Current', 'integer', 'Replicas is the most recently observed number of replicas. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller/#what-is-a-replicationcontroller'),
    col('Ready', 'integer', 'The number of ready replicas for this replication controller.'),
    col('Containers', 'string', 'Names of each container in the template.', true),
    col('Images', 'string', 'Images referenced by each container in the template.', true),
    col('Selector', 'string', 'Selector that selects a set of pods.', true),
  ],
  cells: (rc) => [rc.spec?.replicas ?? 0, rc.status?.replicas ?? 0, rc.status?.readyReplicas ?? 0, ...containerCells(rc.spec?.template?.spec?.containers),
    Object.entries(rc.spec?.selector ?? {}).map(([k, v]) => `${k}=${v}`).sort().join(',') || '<none>'],
});
