/**
 * Table rendering (meta.k8s.io/v1 Table) for `kubectl get`: the kind's columns and cells, and per row
 * the object as PartialObjectMetadata (default), the whole object, or nothing (`includeObject`).
 */
import type { KubeObject } from '../../api/meta.js';
import type { ResourceDefinition } from '../../api/resource.js';
import type { OutputFormat } from './media.js';

/** The metadata-only form of an object (apiVersion meta.k8s.io/v1). */
export function partialObjectMetadata(obj: KubeObject): object {
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
}

export function columnDefinitions(def: ResourceDefinition): object[] {
  return def.tableColumns.map((c) => ({ name: c.name, type: c.type, format: c.format ?? '', description: c.description, priority: c.priority }));
}

function rowOf(def: ResourceDefinition, obj: KubeObject, include: OutputFormat['includeObject'], now: Date): object {
  let cells: unknown[];
  try {
    cells = def.tableRow(obj, now);
  } catch {
    cells = def.tableColumns.map((_, i) => (i === 0 ? obj.metadata.name ?? '' : '<unknown>'));
  }
  const object = include === 'None' ? undefined : include === 'Object' ? obj : partialObjectMetadata(obj);
  return object ? { cells, object } : { cells };
}

/**
 * A Table of `items`. `withColumns` false leaves columnDefinitions null, as watch events after the
 * first carry them.
 */
export function toTable(def: ResourceDefinition, items: KubeObject[], listMeta: Record<string, unknown>, include: OutputFormat['includeObject'], withColumns = true): object {
  const now = new Date();
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: listMeta,
    columnDefinitions: withColumns ? columnDefinitions(def) : null,
    rows: items.map((o) => rowOf(def, o, include, now)),
  };
}

/** The response body for an object or list under the chosen output format. */
export function render(def: ResourceDefinition, body: KubeObject | { items: KubeObject[]; metadata: Record<string, unknown>; kind?: string }, fmt: OutputFormat): unknown {
  const isList = Array.isArray((body as { items?: unknown }).items);
  if (fmt.as === 'Table') {
    if (isList) {
      const l = body as { items: KubeObject[]; metadata: Record<string, unknown> };
      return toTable(def, l.items, l.metadata, fmt.includeObject);
    }
    const o = body as KubeObject;
    return toTable(def, [o], { resourceVersion: o.metadata?.resourceVersion }, fmt.includeObject);
  }
  if (fmt.as === 'PartialObjectMetadata') {
    if (isList) {
      const l = body as { items: KubeObject[]; metadata: Record<string, unknown> };
      return { kind: 'PartialObjectMetadataList', apiVersion: 'meta.k8s.io/v1', metadata: l.metadata, items: l.items.map(partialObjectMetadata) };
    }
    return partialObjectMetadata(body as KubeObject);
  }
  return body;
}
