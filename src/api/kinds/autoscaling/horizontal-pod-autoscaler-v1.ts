/**
 * autoscaling/v1 HorizontalPodAutoscaler, served from the v2 storage version as kube-apiserver
 * serves it: every read converts the stored v2 object to v1 and every write converts back
 * (hpa-v1-conversion.ts, as pkg/apis/autoscaling/v1/conversion.go). What v1 cannot say (other
 * metrics, behavior, conditions, the raw current metrics) rides in upstream's round-trip annotations.
 */
import type { ObjectMeta } from '../../meta.js';
import { s } from '../../schema/builders.js';
import type { Infer } from '../../schema/types.js';
import type { FieldError } from '../../status.js';
import { defineKind, gvk } from '../define.js';
import { nameIsDNSSubdomain } from '../meta/names.js';
import { standardMetadata, typeMeta } from '../meta/object-meta.js';
import { validateHorizontalPodAutoscaler, type HorizontalPodAutoscaler } from './horizontal-pod-autoscaler.js';
import { hpaV1ToV2, hpaV2ToV1 } from './hpa-v1-conversion.js';
import { hpaCells, hpaColumns } from './hpa-table.js';

const V1 = 'io.k8s.api.autoscaling.v1';

const crossVersionObjectReferenceSchema = s.object({
  apiVersion: s.string('apiVersion is the API version of the referent'),
  kind: s.string('kind is the kind of the referent; More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds'),
  name: s.string('name is the name of the referent; More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#names'),
}, { name: `${V1}.CrossVersionObjectReference`, required: ['kind', 'name'], description: 'CrossVersionObjectReference contains enough information to let you identify the referred resource.' });

const horizontalPodAutoscalerSpecSchema = s.object({
  maxReplicas: s.int('maxReplicas is the upper limit for the number of pods that can be set by the autoscaler; cannot be smaller than MinReplicas.'),
  minReplicas: s.int('minReplicas is the lower limit for the number of replicas to which the autoscaler can scale down.  It defaults to 1 pod.  minReplicas is allowed to be 0 if the alpha feature gate HPAScaleToZero is enabled and at least one Object or External metric is configured.  Scaling is active as long as at least one metric value is available.'),
  scaleTargetRef: crossVersionObjectReferenceSchema,
  targetCPUUtilizationPercentage: s.int('targetCPUUtilizationPercentage is the target average CPU utilization (represented as a percentage of requested CPU) over all the pods; if not specified the default autoscaling policy will be used.'),
}, { name: `${V1}.HorizontalPodAutoscalerSpec`, required: ['maxReplicas', 'scaleTargetRef'], description: 'specification of a horizontal pod autoscaler.' });

const horizontalPodAutoscalerStatusSchema = s.object({
  currentCPUUtilizationPercentage: s.int('currentCPUUtilizationPercentage is the current average CPU utilization over all pods, represented as a percentage of requested CPU, e.g. 70 means that an average pod is using now 70% of its requested CPU.'),
  currentReplicas: s.int('currentReplicas is the current number of replicas of pods managed by this autoscaler.'),
  desiredReplicas: s.int('desiredReplicas is the  desired number of replicas of pods managed by this autoscaler.'),
  lastScaleTime: s.time('lastScaleTime is the last time the HorizontalPodAutoscaler scaled the number of pods; used by the autoscaler to control how often the number of pods is changed.'),
  observedGeneration: s.int64('observedGeneration is the most recent generation observed by this autoscaler.'),
}, { name: `${V1}.HorizontalPodAutoscalerStatus`, required: ['currentReplicas', 'desiredReplicas'], description: 'current status of a horizontal pod autoscaler' });

const horizontalPodAutoscalerSchema = s.object({
  ...typeMeta,
  metadata: standardMetadata,
  spec: { ...horizontalPodAutoscalerSpecSchema, description: 'spec defines the behaviour of autoscaler. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status.' },
  status: { ...horizontalPodAutoscalerStatusSchema, description: 'status is the current information about the autoscaler.' },
}, { name: `${V1}.HorizontalPodAutoscaler`, gvk: gvk('autoscaling', 'v1', 'HorizontalPodAutoscaler'), description: 'configuration of a horizontal pod autoscaler.' });

export type HorizontalPodAutoscalerV1 = Infer<typeof horizontalPodAutoscalerSchema> & { metadata: ObjectMeta };

/** A v1 object is valid when its v2 form is (ValidateHorizontalPodAutoscaler runs on the internal form upstream). */
function validateV1(hpa: HorizontalPodAutoscalerV1): FieldError[] {
  return validateHorizontalPodAutoscaler(hpaV1ToV2(hpa));
}

export const horizontalPodAutoscalersV1 = defineKind<HorizontalPodAutoscalerV1>({
  group: 'autoscaling', version: 'v1', kind: 'HorizontalPodAutoscaler', plural: 'horizontalpodautoscalers', namespaced: true,
  shortNames: ['hpa'], categories: ['all'], subresources: ['status'],
  schema: horizontalPodAutoscalerSchema, nameValidator: nameIsDNSSubdomain,
  defaults: (hpa) => {
    if (hpa.spec) hpa.spec.minReplicas ??= 1;
  },
  validate: validateV1,
  hasStatusSubresource: true, tracksGeneration: true,
  columns: hpaColumns,
  cells: (hpa) => hpaCells(hpaV1ToV2(hpa)),
  protobufMessage: 'k8s.io.api.autoscaling.v1.HorizontalPodAutoscaler',
  storageVersion: {
    toStored: (obj) => hpaV1ToV2(obj as HorizontalPodAutoscalerV1),
    fromStored: (obj) => hpaV2ToV1(obj as HorizontalPodAutoscaler),
  },
});
