/**
 * autoscaling/v2 HorizontalPodAutoscaler: the schema tree (k8s.io/api/autoscaling/v2 types.go), with
 * upstream v1.32's field descriptions. Defaults, validation and printer columns are in
 * horizontal-pod-autoscaler.ts; the v1 form and its conversion in horizontal-pod-autoscaler-v1.ts.
 */
import type { ObjectMeta } from '../../meta.js';
import { s } from '../../schema/builders.js';
import type { Infer } from '../../schema/types.js';
import { gvk } from '../define.js';
import { labelSelectorSchema } from '../meta/label-selector.js';
import { standardMetadata, typeMeta } from '../meta/object-meta.js';

const V2 = 'io.k8s.api.autoscaling.v2';

const crossVersionObjectReferenceSchema = s.object({
  apiVersion: s.string('apiVersion is the API version of the referent'),
  kind: s.string('kind is the kind of the referent; More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds'),
  name: s.string('name is the name of the referent; More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#names'),
}, { name: `${V2}.CrossVersionObjectReference`, required: ['kind', 'name'], description: 'CrossVersionObjectReference contains enough information to let you identify the referred resource.' });

const metricIdentifierSchema = s.object({
  name: s.string('name is the name of the given metric'),
  selector: labelSelectorSchema,
}, { name: `${V2}.MetricIdentifier`, required: ['name'], description: 'MetricIdentifier defines the name and optionally selector for a metric' });

const metricTargetSchema = s.object({
  averageUtilization: s.int('averageUtilization is the target value of the average of the resource metric across all relevant pods, represented as a percentage of the requested value of the resource for the pods. Currently only valid for Resource metric source type'),
  averageValue: s.quantity('averageValue is the target value of the average of the metric across all relevant pods (as a quantity)'),
  type: s.string('type represents whether the metric type is Utilization, Value, or AverageValue'),
  value: s.quantity('value is the target value of the metric (as a quantity).'),
}, { name: `${V2}.MetricTarget`, required: ['type'], description: 'MetricTarget defines the target value, average value, or average utilization of a specific metric' });

const metricValueStatusSchema = s.object({
  averageUtilization: s.int('currentAverageUtilization is the current value of the average of the resource metric across all relevant pods, represented as a percentage of the requested value of the resource for the pods.'),
  averageValue: s.quantity('averageValue is the current value of the average of the metric across all relevant pods (as a quantity)'),
  value: s.quantity('value is the current value of the metric (as a quantity).'),
}, { name: `${V2}.MetricValueStatus`, description: 'MetricValueStatus holds the current value for a metric' });

const resourceMetricSourceSchema = s.object({
  name: s.string('name is the name of the resource in question.'),
  target: metricTargetSchema,
}, { name: `${V2}.ResourceMetricSource`, required: ['name', 'target'], description: 'ResourceMetricSource indicates how to scale on a resource metric known to Kubernetes, as specified in requests and limits, describing each pod in the current scale target (e.g. CPU or memory).  The values will be averaged together before being compared to the target.  Such metrics are built in to Kubernetes, and have special scaling options on top of those available to normal per-pod metrics using the "pods" source.  Only one "target" type should be set.' });

const containerResourceMetricSourceSchema = s.object({
  container: s.string('container is the name of the container in the pods of the scaling target'),
  name: s.string('name is the name of the resource in question.'),
  target: metricTargetSchema,
}, { name: `${V2}.ContainerResourceMetricSource`, required: ['container', 'name', 'target'], description: 'ContainerResourceMetricSource indicates how to scale on a resource metric known to Kubernetes, as specified in requests and limits, describing each pod in the current scale target (e.g. CPU or memory).  The values will be averaged together before being compared to the target.  Such metrics are built in to Kubernetes, and have special scaling options on top of those available to normal per-pod metrics using the "pods" source.  Only one "target" type should be set.' });

const podsMetricSourceSchema = s.object({
  metric: metricIdentifierSchema,
  target: metricTargetSchema,
}, { name: `${V2}.PodsMetricSource`, required: ['metric', 'target'], description: 'PodsMetricSource indicates how to scale on a metric describing each pod in the current scale target (for example, transactions-processed-per-second). The values will be averaged together before being compared to the target value.' });

const objectMetricSourceSchema = s.object({
  describedObject: crossVersionObjectReferenceSchema,
  metric: metricIdentifierSchema,
  target: metricTargetSchema,
}, { name: `${V2}.ObjectMetricSource`, required: ['describedObject', 'metric', 'target'], description: 'ObjectMetricSource indicates how to scale on a metric describing a kubernetes object (for example, hits-per-second on an Ingress object).' });

const externalMetricSourceSchema = s.object({
  metric: metricIdentifierSchema,
  target: metricTargetSchema,
}, { name: `${V2}.ExternalMetricSource`, required: ['metric', 'target'], description: 'ExternalMetricSource indicates how to scale on a metric not associated with any Kubernetes object (for example length of queue in cloud messaging service, or QPS from loadbalancer running outside of cluster).' });

const metricSpecSchema = s.object({
  containerResource: containerResourceMetricSourceSchema,
  external: externalMetricSourceSchema,
  object: objectMetricSourceSchema,
  pods: podsMetricSourceSchema,
  resource: resourceMetricSourceSchema,
  type: s.string('type is the type of metric source.  It should be one of "ContainerResource", "External", "Object", "Pods" or "Resource", each mapping to a matching field in the object.'),
}, { name: `${V2}.MetricSpec`, required: ['type'], description: 'MetricSpec specifies how to scale based on a single metric (only `type` and one other matching field should be set at once).' });

const hpaScalingPolicySchema = s.object({
  periodSeconds: s.int('periodSeconds specifies the window of time for which the policy should hold true. PeriodSeconds must be greater than zero and less than or equal to 1800 (30 min).'),
  type: s.string('type is used to specify the scaling policy.'),
  value: s.int('value contains the amount of change which is permitted by the policy. It must be greater than zero'),
}, { name: `${V2}.HPAScalingPolicy`, required: ['periodSeconds', 'type', 'value'], description: 'HPAScalingPolicy is a single policy which must hold true for a specified past interval.' });

const hpaScalingRulesSchema = s.object({
  policies: s.array(hpaScalingPolicySchema, { description: 'policies is a list of potential scaling polices which can be used during scaling. At least one policy must be specified, otherwise the HPAScalingRules will be discarded as invalid', listType: 'atomic' }),
  selectPolicy: s.string('selectPolicy is used to specify which policy should be used. If not set, the default value Max is used.'),
  stabilizationWindowSeconds: s.int('stabilizationWindowSeconds is the number of seconds for which past recommendations should be considered while scaling up or scaling down. StabilizationWindowSeconds must be greater than or equal to zero and less than or equal to 3600 (one hour). If not set, use the default values: - For scale up: 0 (i.e. no stabilization is done). - For scale down: 300 (i.e. the stabilization window is 300 seconds long).'),
}, { name: `${V2}.HPAScalingRules`, description: 'HPAScalingRules configures the scaling behavior for one direction. These Rules are applied after calculating DesiredReplicas from metrics for the HPA. They can limit the scaling velocity by specifying scaling policies. They can prevent flapping by specifying the stabilization window, so that the number of replicas is not set instantly, instead, the safest value from the stabilization window is chosen.' });

const horizontalPodAutoscalerBehaviorSchema = s.object({
  scaleDown: hpaScalingRulesSchema,
  scaleUp: hpaScalingRulesSchema,
}, { name: `${V2}.HorizontalPodAutoscalerBehavior`, description: 'HorizontalPodAutoscalerBehavior configures the scaling behavior of the target in both Up and Down directions (scaleUp and scaleDown fields respectively).' });

const horizontalPodAutoscalerSpecSchema = s.object({
  behavior: horizontalPodAutoscalerBehaviorSchema,
  maxReplicas: s.int('maxReplicas is the upper limit for the number of replicas to which the autoscaler can scale up. It cannot be less that minReplicas.'),
  metrics: s.array(metricSpecSchema, { description: 'metrics contains the specifications for which to use to calculate the desired replica count (the maximum replica count across all metrics will be used).  The desired replica count is calculated multiplying the ratio between the target value and the current value by the current number of pods.  Ergo, metrics used must decrease as the pod count is increased, and vice-versa.  See the individual metric source types for more information about how each type of metric must respond. If not set, the default metric will be set to 80% average CPU utilization.', listType: 'atomic' }),
  minReplicas: s.int('minReplicas is the lower limit for the number of replicas to which the autoscaler can scale down.  It defaults to 1 pod.  minReplicas is allowed to be 0 if the alpha feature gate HPAScaleToZero is enabled and at least one Object or External metric is configured.  Scaling is active as long as at least one metric value is available.'),
  scaleTargetRef: crossVersionObjectReferenceSchema,
}, { name: `${V2}.HorizontalPodAutoscalerSpec`, required: ['maxReplicas', 'scaleTargetRef'], description: 'HorizontalPodAutoscalerSpec describes the desired functionality of the HorizontalPodAutoscaler.' });

const resourceMetricStatusSchema = s.object({
  current: metricValueStatusSchema,
  name: s.string('name is the name of the resource in question.'),
}, { name: `${V2}.ResourceMetricStatus`, required: ['current', 'name'], description: 'ResourceMetricStatus indicates the current value of a resource metric known to Kubernetes, as specified in requests and limits, describing each pod in the current scale target (e.g. CPU or memory).  Such metrics are built in to Kubernetes, and have special scaling options on top of those available to normal per-pod metrics using the "pods" source.' });

const containerResourceMetricStatusSchema = s.object({
  container: s.string('container is the name of the container in the pods of the scaling target'),
  current: metricValueStatusSchema,
  name: s.string('name is the name of the resource in question.'),
}, { name: `${V2}.ContainerResourceMetricStatus`, required: ['container', 'current', 'name'], description: 'ContainerResourceMetricStatus indicates the current value of a resource metric known to Kubernetes, as specified in requests and limits, describing a single container in each pod in the current scale target (e.g. CPU or memory).  Such metrics are built in to Kubernetes, and have special scaling options on top of those available to normal per-pod metrics using the "pods" source.' });

const podsMetricStatusSchema = s.object({
  current: metricValueStatusSchema,
  metric: metricIdentifierSchema,
}, { name: `${V2}.PodsMetricStatus`, required: ['current', 'metric'], description: 'PodsMetricStatus indicates the current value of a metric describing each pod in the current scale target (for example, transactions-processed-per-second).' });

const objectMetricStatusSchema = s.object({
  current: metricValueStatusSchema,
  describedObject: crossVersionObjectReferenceSchema,
  metric: metricIdentifierSchema,
}, { name: `${V2}.ObjectMetricStatus`, required: ['current', 'describedObject', 'metric'], description: 'ObjectMetricStatus indicates the current value of a metric describing a kubernetes object (for example, hits-per-second on an Ingress object).' });

const externalMetricStatusSchema = s.object({
  current: metricValueStatusSchema,
  metric: metricIdentifierSchema,
}, { name: `${V2}.ExternalMetricStatus`, required: ['current', 'metric'], description: 'ExternalMetricStatus indicates the current value of a global metric not associated with any Kubernetes object.' });

const metricStatusSchema = s.object({
  containerResource: containerResourceMetricStatusSchema,
  external: externalMetricStatusSchema,
  object: objectMetricStatusSchema,
  pods: podsMetricStatusSchema,
  resource: resourceMetricStatusSchema,
  type: s.string('type is the type of metric source.  It will be one of "ContainerResource", "External", "Object", "Pods" or "Resource", each corresponds to a matching field in the object.'),
}, { name: `${V2}.MetricStatus`, required: ['type'], description: 'MetricStatus describes the last-read state of a single metric.' });

const horizontalPodAutoscalerConditionSchema = s.object({
  lastTransitionTime: s.time('lastTransitionTime is the last time the condition transitioned from one status to another'),
  message: s.string('message is a human-readable explanation containing details about the transition'),
  reason: s.string('reason is the reason for the condition\'s last transition.'),
  status: s.string('status is the status of the condition (True, False, Unknown)'),
  type: s.string('type describes the current condition'),
}, { name: `${V2}.HorizontalPodAutoscalerCondition`, required: ['status', 'type'], description: 'HorizontalPodAutoscalerCondition describes the state of a HorizontalPodAutoscaler at a certain point.' });

const horizontalPodAutoscalerStatusSchema = s.object({
  conditions: s.array(horizontalPodAutoscalerConditionSchema, { description: 'conditions is the set of conditions required for this autoscaler to scale its target, and indicates whether or not those conditions are met.', patchMergeKey: 'type', patchStrategy: 'merge', listType: 'map', listMapKeys: ['type'] }),
  currentMetrics: s.array(metricStatusSchema, { description: 'currentMetrics is the last read state of the metrics used by this autoscaler.', listType: 'atomic' }),
  currentReplicas: s.int('currentReplicas is current number of replicas of pods managed by this autoscaler, as last seen by the autoscaler.'),
  desiredReplicas: s.int('desiredReplicas is the desired number of replicas of pods managed by this autoscaler, as last calculated by the autoscaler.'),
  lastScaleTime: s.time('lastScaleTime is the last time the HorizontalPodAutoscaler scaled the number of pods, used by the autoscaler to control how often the number of pods is changed.'),
  observedGeneration: s.int64('observedGeneration is the most recent generation observed by this autoscaler.'),
}, { name: `${V2}.HorizontalPodAutoscalerStatus`, required: ['desiredReplicas'], description: 'HorizontalPodAutoscalerStatus describes the current status of a horizontal pod autoscaler.' });

export const hpaV2Schema = s.object({
  ...typeMeta,
  metadata: standardMetadata,
  spec: { ...horizontalPodAutoscalerSpecSchema, description: 'spec is the specification for the behaviour of the autoscaler. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status.' },
  status: { ...horizontalPodAutoscalerStatusSchema, description: 'status is the current information about the autoscaler.' },
}, { name: `${V2}.HorizontalPodAutoscaler`, gvk: gvk('autoscaling', 'v2', 'HorizontalPodAutoscaler'), description: 'HorizontalPodAutoscaler is the configuration for a horizontal pod autoscaler, which automatically manages the replica count of any resource implementing the scale subresource based on the metrics specified.' });


export type HorizontalPodAutoscaler = Infer<typeof hpaV2Schema> & { metadata: ObjectMeta };
export type HorizontalPodAutoscalerSpec = Infer<typeof horizontalPodAutoscalerSpecSchema>;
export type HorizontalPodAutoscalerStatus = Infer<typeof horizontalPodAutoscalerStatusSchema>;
export type HorizontalPodAutoscalerCondition = Infer<typeof horizontalPodAutoscalerConditionSchema>;
export type HpaMetricSpec = Infer<typeof metricSpecSchema>;
export type HpaMetricStatus = Infer<typeof metricStatusSchema>;
export type HpaMetricTarget = Infer<typeof metricTargetSchema>;
export type HpaScalingRules = Infer<typeof hpaScalingRulesSchema>;
export type HpaScalingPolicy = Infer<typeof hpaScalingPolicySchema>;
export type HorizontalPodAutoscalerBehavior = Infer<typeof horizontalPodAutoscalerBehaviorSchema>;
export type CrossVersionObjectReference = Infer<typeof crossVersionObjectReferenceSchema>;
