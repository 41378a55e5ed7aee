/**
 * The read-only storages of metrics.k8s.io/v1beta1 nodes and pods, as metrics-server's
 * pkg/api/{node,pod}.go: get and list from the collector's newest gathering, list filtered by
 * namespace and by label selector on the node's or pod's own labels (so `kubectl top pod -l app=x`
 * works) and by metadata.name / metadata.namespace field selectors. An object without metrics
 * answers 404 NotFound, as upstream; every other verb answers 405.
 */
import type { KubeList, KubeObject } from '../../api/meta.js';
import type { ResourceDefinition } from '../../api/resource.js';
import { matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector } from '../../api/selectors/index.js';
import { errors, StatusError } from '../../api/status.js';
import { refusedWrites } from '../storage/read-only.js';
import type { ListQuery, ResourceStorage } from '../storage/types.js';
import type { MetricsCollector } from './collector.js';
import { METRICS_GROUP, nodeMetricsDef, podMetricsDef } from './kinds.js';

function selecting(q: ListQuery): (o: KubeObject) => boolean {
  let labels: ReturnType<typeof parseLabelSelector>;
  let fields: ReturnType<typeof parseFieldSelector>;
  try {
    labels = parseLabelSelector(q.labelSelector ?? '');
    fields = parseFieldSelector(q.fieldSelector ?? '');
  } catch (err) {
    if (err instanceof StatusError) throw err;
    throw errors.badRequest(err instanceof Error ? err.message : String(err));
  }
  return (o) => matchesLabels(labels, o.metadata.labels) && matchesFields(fields, { 'metadata.name': o.metadata.name ?? '', 'metadata.namespace': o.metadata.namespace ?? '' });
}

function readOnly(def: ResourceDefinition, items: (c: MetricsCollector) => Promise<Map<string, KubeObject>>, keyOf: (ns: string | undefined, name: string) => string, collector: MetricsCollector): ResourceStorage {
  return {
    def,
    async get(_ctx, ns, name) {
      const found = (await items(collector)).get(keyOf(ns, name));
      if (!found) throw errors.notFound({ group: METRICS_GROUP, kind: def.kind, resource: def.plural, name });
      return found;
    },
    async list(_ctx, ns, q): Promise<KubeList> {
      const keep = selecting(q);
      const all = [...(await items(collector)).values()]
        .filter((o) => (ns === undefined || o.metadata.namespace === ns) && keep(o))
        .sort((a, b) => `${a.metadata.namespace ?? ''}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace ?? ''}/${b.metadata.name}`));
      return { apiVersion: `${METRICS_GROUP}/v1beta1`, kind: def.listKind, metadata: {}, items: all };
    },
    ...refusedWrites,
  };
}

export function createMetricsStorages(collector: MetricsCollector): ResourceStorage[] {
  return [
    readOnly(nodeMetricsDef, async (c) => (await c.current()).nodes, (_ns, name) => name, collector),
    readOnly(podMetricsDef, async (c) => (await c.current()).pods, (ns, name) => `${ns}/${name}`, collector),
  ];
}
