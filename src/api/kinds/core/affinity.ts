/** core/v1 scheduling constraints: Affinity, Toleration, TopologySpreadConstraint. */
import { s } from '../../schema/builders.js';
import type { Infer } from '../../schema/types.js';
import { labelSelectorSchema } from '../meta/label-selector.js';

const V1 = 'io.k8s.api.core.v1';

export const nodeSelectorRequirementSchema = s.object({
  key: s.string('The label key that the selector applies to.'),
  operator: s.string({ description: "Represents a key's relationship to a set of values. Valid operators are In, NotIn, Exists, DoesNotExist. Gt, and Lt.", enum: ['DoesNotExist', 'Exists', 'Gt', 'In', 'Lt', 'NotIn'] }),
  values: s.strings('An array of string values. If the operator is In or NotIn, the values array must be non-empty. If the operator is Exists or DoesNotExist, the values array must be empty. If the operator is Gt or Lt, the values array must have a single element, which will be interpreted as an integer.'),
}, { name: `${V1}.NodeSelectorRequirement`, required: ['key', 'operator'], description: 'A node selector requirement is a selector that contains values, a key, and an operator that relates the key and values.' });

export const nodeSelectorTermSchema = s.object({
  matchExpressions: s.array(nodeSelectorRequirementSchema, { description: "A list of node selector requirements by node's labels.", listType: 'atomic' }),
  matchFields: s.array(nodeSelectorRequirementSchema, { description: "A list of node selector requirements by node's fields.", listType: 'atomic' }),
}, { name: `${V1}.NodeSelectorTerm`, mapType: 'atomic', description: 'A null or empty node selector term matches no objects. The requirements of them are ANDed.' });

export const nodeSelectorSchema = s.object({
  nodeSelectorTerms: s.array(nodeSelectorTermSchema, { description: 'Required. A list of node selector terms. The terms are ORed.', listType: 'atomic' }),
}, { name: `${V1}.NodeSelector`, required: ['nodeSelectorTerms'], mapType: 'atomic', description: 'A node selector represents the union of the results of one or more label queries over a set of nodes; that is, it represents the OR of the selectors represented by the node selector terms.' });

export const nodeAffinitySchema = s.object({
  requiredDuringSchedulingIgnoredDuringExecution: { ...nodeSelectorSchema, description: 'If the affinity requirements specified by this field are not met at scheduling time, the pod will not be scheduled onto the node.' },
  preferredDuringSchedulingIgnoredDuringExecution: s.array(s.object({
    weight: s.int('Weight associated with matching the corresponding nodeSelectorTerm, in the range 1-100.'),
    preference: { ...nodeSelectorTermSchema, description: 'A node selector term, associated with the corresponding weight.' },
  }, { name: `${V1}.PreferredSchedulingTerm`, required: ['weight', 'preference'], description: "An empty preferred scheduling term matches all objects with implicit weight 0 (i.e. it's a no-op)." }), {
    description: 'The scheduler will prefer to schedule pods to nodes that satisfy the affinity expressions specified by this field, but it may choose a node that violates one or more of the expressions.', listType: 'atomic',
  }),
}, { name: `${V1}.NodeAffinity`, description: 'Node affinity is a group of node affinity scheduling rules.' });

export const podAffinityTermSchema = s.object({
  labelSelector: { ...labelSelectorSchema, description: "A label query over a set of resources, in this case pods. If it's null, this PodAffinityTerm matches with no Pods." },
  namespaces: s.strings('namespaces specifies a static list of namespace names that the term applies to.'),
  topologyKey: s.string('This pod should be co-located (affinity) or not co-located (anti-affinity) with the pods matching the labelSelector in the specified namespaces, where co-located is defined as running on a node whose value of the label with key topologyKey matches that of any node on which any of the selected pods is running. Empty topologyKey is not allowed.'),
  namespaceSelector: { ...labelSelectorSchema, description: "A label query over the set of namespaces that the term applies to. null or empty namespaces list and null namespaceSelector means \"this pod's namespace\"." },
  matchLabelKeys: s.strings('MatchLabelKeys is a set of pod label keys to select which pods will be taken into consideration.'),
  mismatchLabelKeys: s.strings('MismatchLabelKeys is a set of pod label keys to select which pods will be taken into consideration.'),
}, { name: `${V1}.PodAffinityTerm`, required: ['topologyKey'], description: 'Defines a set of pods (namely those matching the labelSelector relative to the given namespace(s)) that this pod should be co-located (affinity) or not co-located (anti-affinity) with.' });

const weightedPodAffinityTermSchema = s.object({
  weight: s.int('weight associated with matching the corresponding podAffinityTerm, in the range 1-100.'),
  podAffinityTerm: { ...podAffinityTermSchema, description: 'Required. A pod affinity term, associated with the corresponding weight.' },
}, { name: `${V1}.WeightedPodAffinityTerm`, required: ['weight', 'podAffinityTerm'], description: 'The weights of all of the matched WeightedPodAffinityTerm fields are added per-node to find the most preferred node(s)' });

const podAffinityProps = (anti: boolean) => ({
  requiredDuringSchedulingIgnoredDuringExecution: s.array(podAffinityTermSchema, {
    description: `If the ${anti ? 'anti-' : ''}affinity requirements specified by this field are not met at scheduling time, the pod will not be scheduled onto the node.`, listType: 'atomic',
  }),
  preferredDuringSchedulingIgnoredDuringExecution: s.array(weightedPodAffinityTermSchema, {
    description: `The scheduler will prefer to schedule pods to nodes that satisfy the ${anti ? 'anti-' : ''}affinity expressions specified by this field.`, listType: 'atomic',
  }),
});

export const podAffinitySchema = s.object(podAffinityProps(false), { name: `${V1}.PodAffinity`, description: 'Pod affinity is a group of inter pod affinity scheduling rules.' });
export const podAntiAffinitySchema = s.object(podAffinityProps(true), { name: `${V1}.PodAntiAffinity`, description: 'Pod anti affinity is a group of inter pod anti affinity scheduling rules.' });

export const affinitySchema = s.object({
  nodeAffinity: { ...nodeAffinitySchema, description: 'Describes node affinity scheduling rules for the pod.' },
  podAffinity: { ...podAffinitySchema, description: 'Describes pod affinity scheduling rules (e.g. co-locate this pod in the same node, zone, etc. as some other pod(s)).' },
  podAntiAffinity: { ...podAntiAffinitySchema, description: 'Describes pod anti-affinity scheduling rules (e.g. avoid putting this pod in the same node, zone, etc. as some other pod(s)).' },
}, { name: `${V1}.Affinity`, description: 'Affinity is a group of affinity scheduling rules.' });

export const TAINT_EFFECTS = ['NoExecute', 'NoSchedule', 'PreferNoSchedule'] as const;

export const tolerationSchema = s.object({
  key: s.string('Key is the taint key that the toleration applies to. Empty means match all taint keys. If the key is empty, operator must be Exists; this combination means to match all values and all keys.'),
  operator: s.string({ description: "Operator represents a key's relationship to the value. Valid operators are Exists and Equal. Defaults to Equal. Exists is equivalent to wildcard for value, so that a pod can tolerate all taints of a particular category.", enum: ['Equal', 'Exists'] }),
  value: s.string('Value is the taint value the toleration matches to. If the operator is Exists, the value should be empty, otherwise just a regular string.'),
  effect: s.string({ description: 'Effect indicates the taint effect to match. Empty means match all taint effects. When specified, allowed values are NoSchedule, PreferNoSchedule and NoExecute.', enum: ['', ...TAINT_EFFECTS] }),
  tolerationSeconds: s.int64('TolerationSeconds represents the period of time the toleration (which must be of effect NoExecute, otherwise this field is ignored) tolerates the taint. By default, it is not set, which means tolerate the taint forever (do not evict). Zero and negative values will be treated as 0 (evict immediately) by the system.'),
}, { name: `${V1}.Toleration`, description: 'The pod this Toleration is attached to tolerates any taint that matches the triple <key,value,effect> using the matching operator <operator>.' });

export const topologySpreadConstraintSchema = s.object({
  maxSkew: s.int('MaxSkew describes the degree to which pods may be unevenly distributed.'),
  topologyKey: s.string('TopologyKey is the key of node labels. Nodes that have a label with this key and identical values are considered to be in the same topology.'),
  whenUnsatisfiable: s.string({ description: "WhenUnsatisfiable indicates how to deal with a pod if it doesn't satisfy the spread constraint.", enum: ['DoNotSchedule', 'ScheduleAnyway'] }),
  labelSelector: { ...labelSelectorSchema, description: 'LabelSelector is used to find matching pods. Pods that match this label selector are counted to determine the number of pods in their corresponding topology domain.' },
  minDomains: s.int('MinDomains indicates a minimum number of eligible domains.'),
  nodeAffinityPolicy: s.string({ description: 'NodeAffinityPolicy indicates how we will treat Pod\'s nodeAffinity/nodeSelector when calculating pod topology spread skew.', enum: ['Honor', 'Ignore'] }),
  nodeTaintsPolicy: s.string({ description: 'NodeTaintsPolicy indicates how we will treat node taints when calculating pod topology spread skew.', enum: ['Honor', 'Ignore'] }),
  matchLabelKeys: s.strings('MatchLabelKeys is a set of pod label keys to select the pods over which spreading will be calculated.'),
}, { name: `${V1}.TopologySpreadConstraint`, required: ['maxSkew', 'topologyKey', 'whenUnsatisfiable'], description: 'TopologySpreadConstraint specifies how to spread matching pods among the given topology.' });

export type Affinity = Infer<typeof affinitySchema>;
export type NodeAffinity = Infer<typeof nodeAffinitySchema>;
export type NodeSelector = Infer<typeof nodeSelectorSchema>;
export type NodeSelectorTerm = Infer<typeof nodeSelectorTermSchema>;
export type NodeSelectorRequirement = Infer<typeof nodeSelectorRequirementSchema>;
export type PodAffinityTerm = Infer<typeof podAffinityTermSchema>;
export type Toleration = Infer<typeof tolerationSchema>;
export type TopologySpreadConstraint = Infer<typeof topologySpreadConstraintSchema>;
