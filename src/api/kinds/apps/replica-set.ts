/** apps/v1 ReplicaSet. */
import type { ObjectMeta } from '../../meta.js';
import { s } from '../../schema/builders.js';
import type { Infer } from '../../schema/types.js';
import { col } from '../../table/columns.js';
import { podTemplateSpecSchema } from '../core/pod-spec.js';
import { defineKind, gvk } from '../define.js';
import { labelSelectorSchema, selectorString } from '../meta/label-selector.js';
import { nameIsDNSSubdomain } from '../meta/names.js';
import { standardMetadata, typeMeta } from '../meta/object-meta.js';
import { containerCells, workloadConditionSchema } from './common.js';
import { validateSelectorAndTemplate, validateSelectorImmutable } from './workload-validation.js';

const APPS = 'io.k8s.api.apps.v1';

export const replicaSetSpecSchema = s.object({
  replicas: s.int({ description: 'Replicas is the number of desired pods. This is a pointer to distinguish between explicit zero and unspecified. Defaults to 1. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicaset', default: 1 }),
  minReadySeconds: s.int('Minimum number of seconds for which a newly created pod should be ready without any of its container crashing, for it to be considered available. Defaults to 0 (pod will be considered available as soon as it is ready)'),
  selector: { ...labelSelectorSchema, description: "Selector is a label query over pods that should match the replica count. Label keys and values that must match in order to be controlled by this replica set. It must match the pod template's labels. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors" },
  template: { ...podTemplateSpecSchema, description: 'Template is the object that describes the pod that will be created if insufficient replicas are detected. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicaset/#pod-template' },
}, { name: `${APPS}.ReplicaSetSpec`, required: ['selector'], description: 'ReplicaSetSpec is the specification of a ReplicaSet.' });

export const replicaSetStatusSchema = s.object({
  replicas: s.int('Replicas is the most recently observed number of non-terminating pods. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicaset'),
  fullyLabeledReplicas: s.int('The number of non-terminating pods that have labels matching the labels of the pod template of the replicaset.'),
  readyReplicas: s.int('The number of non-terminating pods targeted by this ReplicaSet with a Ready Condition.'),
  availableReplicas: s.int('The number of available non-terminating pods (ready for at least minReadySeconds) for this replica set.'),
  terminatingReplicas: s.int('The number of terminating pods for this replica set.'),
  observedGeneration: s.int64('ObservedGeneration reflects the generation of the most recently observed ReplicaSet.'),
  conditions: s.array(workloadConditionSchema('ReplicaSetCondition', 'replica set'), { description: "Represents the latest available observations of a replica set's current state.", patchMergeKey: 'type', patchStrategy: 'merge', listType: 'map', listMapKeys: ['type'] }),
}, { name: `${APPS}.ReplicaSetStatus`, required: ['replicas'], description: 'ReplicaSetStatus represents the current status of a ReplicaSet.' });

export const replicaSetSchema = s.object({
  ...typeMeta,
  metadata: { ...standardMetadata, description: "If the Labels of a ReplicaSet are empty, they are defaulted to be the same as the Pod(s) that the ReplicaSet manages. Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata" },
  spec: { ...replicaSetSpecSchema, description: 'Spec defines the specification of the desired behavior of the ReplicaSet. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status' },
  status: { ...replicaSetStatusSchema, description: 'Status is the most recently observed status of the ReplicaSet. This data may be out of date by some window of time. Populated by the system. Read-only. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status' },
}, { name: `${APPS}.ReplicaSet`, gvk: gvk('apps', 'v1', 'ReplicaSet'), description: 'ReplicaSet ensures that a specified number of pod replicas are running at any given time.' });

export type ReplicaSet = Infer<typeof replicaSetSchema> & { metadata: ObjectMeta };
export type ReplicaSetSpec = Infer<typeof replicaSetSpecSchema>;
export type ReplicaSetStatus = Infer<typeof replicaSetStatusSchema>;

export const replicaSets = defineKind<ReplicaSet>({
  group: 'apps', version: 'v1', kind: 'ReplicaSet', plural: 'replicasets', namespaced: true, shortNames: ['rs'], categories: ['all'],
  subresources: ['status', 'scale'],
  scale: { specReplicasPath: 'spec.replicas', statusReplicasPath: 'status.replicas', selectorPath: 'spec.selector', checksUid: true },
  schema: replicaSetSchema, nameValidator: nameIsDNSSubdomain,
  defaults: (rs) => {
    rs.status ??= { replicas: 0 };
    rs.status.replicas ??= 0;
  },
  validate: (rs) => validateSelectorAndTemplate('replicaset', rs.spec?.selector, rs.spec?.template, rs.spec?.replicas),
  validateUpdate: (rs, old) => validateSelectorImmutable(rs.spec?.selector, old.spec?.selector),
  hasStatusSubresource: true, tracksGeneration: true,
  selectableFields: (rs) => ({ 'status.replicas': String(rs.status?.replicas ?? 0) }),
  columns: [
    col('Desired', 'integer', 'Replicas is the number of desired replicas. This is a pointer to distinguish between explicit zero and unspecified. Defaults to 1. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller/#what-is-a-replicationcontroller'),
    col('Current', 'integer', 'Replicas is the most recently observed number of replicas. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller/#what-is-a-replicationcontroller'),
    col('Ready', 'integer', 'The number of ready replicas for this replica set.'),
    col('Containers', 'string', 'Names of each container in the template.', true),
    col('Images', 'string', 'Images referenced by each container in the template.', true),
    col('Selector', 'string', 'Selector that selects a set of pods.', true),
  ],
  cells: (rs) => [rs.spec?.replicas ?? 0, rs.status?.replicas ?? 0, rs.status?.readyReplicas ?? 0, ...containerCells(rs.spec?.template?.spec?.containers), selectorString(rs.spec?.selector)],
});
