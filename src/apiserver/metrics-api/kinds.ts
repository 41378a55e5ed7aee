/**
 * metrics.k8s.io/v1beta1 NodeMetrics and PodMetrics (k8s.io/metrics/pkg/apis/metrics/v1beta1), the
 * resource metrics API metrics-server serves: read-only (get, list), computed on request, never
 * stored. Their definitions give discovery and OpenAPI what every served kind gives them, so
 * `kubectl top` finds the group through the normal discovery.
 */
import { defineKind, gvk } from '../../api/kinds/define.js';
import { nameIsDNSSubdomain } from '../../api/kinds/meta/names.js';
import { standardMetadata, typeMeta } from '../../api/kinds/meta/object-meta.js';
import type { KubeObject } from '../../api/meta.js';
import { s } from '../../api/schema/builders.js';

export const METRICS_GROUP = 'metrics.k8s.io';
const PKG = 'io.k8s.metrics.pkg.apis.metrics.v1beta1';

/** cpu and memory quantities, as metrics-server writes them ("250000000n", "64Mi"). */
export type ResourceUsage = { cpu: string; memory: string };

export interface NodeMetrics extends KubeObject {
  timestamp: string;
  window: string;
  usage: ResourceUsage;
}

export interface PodMetrics extends KubeObject {
  timestamp: string;
  window: string;
  containers: { name: string; usage: ResourceUsage }[];
}

const usage = s.map(s.quantity(), { description: 'The memory and cpu usage.' });
const common = {
  ...typeMeta,
  metadata: standardMetadata,
  timestamp: s.time({ description: 'The following fields define time interval from which metrics were collected from the interval [Timestamp-Window, Timestamp].' }),
  window: s.string('The length of the interval the usage was measured over.'),
};

const nodeMetricsSchema = s.object({ ...common, usage }, {
  name: `${PKG}.NodeMetrics`, gvk: gvk(METRICS_GROUP, 'v1beta1', 'NodeMetrics'),
  description: 'NodeMetrics sets resource usage metrics of a node.',
});

const containerMetrics = s.object({
  name: s.string('Container name corresponding to the one from pod.spec.containers.'),
  usage,
}, { name: `${PKG}.ContainerMetrics`, required: ['name', 'usage'], description: 'ContainerMetrics sets resource usage metrics of a container.' });

const podMetricsSchema = s.object({ ...common, containers: s.array(containerMetrics, { description: 'Metrics for all containers are collected within the same time window.', listType: 'atomic' }) }, {
  name: `${PKG}.PodMetrics`, gvk: gvk(METRICS_GROUP, 'v1beta1', 'PodMetrics'),
  description: 'PodMetrics sets resource usage metrics of a pod.',
});

export const nodeMetricsDef = defineKind<NodeMetrics>({
  group: METRICS_GROUP, version: 'v1beta1', kind: 'NodeMetrics', plural: 'nodes', singular: '', namespaced: false,
  verbs: ['get', 'list'], schema: nodeMetricsSchema, nameValidator: nameIsDNSSubdomain,
});

export const podMetricsDef = defineKind<PodMetrics>({
  group: METRICS_GROUP, version: 'v1beta1', kind: 'PodMetrics', plural: 'pods', singular: '', namespaced: true,
  verbs: ['get', 'list'], schema: podMetricsSchema, nameValidator: nameIsDNSSubdomain,
});
