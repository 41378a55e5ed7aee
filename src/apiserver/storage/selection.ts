/**
 * The label and field selectors of a list, watch or deleteCollection, compiled once into a
 * predicate over objects. Field selectors support metadata.name, metadata.namespace and the
 * definition's selectableFields; any other field is 400, as upstream.
 */
import type { KubeObject } from '../../api/meta.js';
import type { ResourceDefinition } from '../../api/resource.js';
import { errors } from '../../api/status.js';
import { matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector } from '../../api/selectors/index.js';

export interface Selection {
  /** True when neither selector constrains anything. */
  readonly everything: boolean;
  matches(obj: KubeObject): boolean;
}

export function fieldsOf(def: ResourceDefinition, obj: KubeObject): Record<string, string> {
  const fields: Record<string, string> = { 'metadata.name': obj.metadata?.name ?? '' };
  if (def.namespaced) fields['metadata.namespace'] = obj.metadata?.namespace ?? '';
  return { ...fields, ...def.selectableFields(obj) };
}

/** The field names a kind can be selected by, learned by asking the definition about an empty object. */
export function selectableFieldNames(def: ResourceDefinition): Set<string> {
  const names = new Set(['metadata.name', 'metadata.namespace']);
  try {
    for (const k of Object.keys(def.selectableFields({ metadata: {}, spec: {}, status: {} } as KubeObject))) names.add(k);
  } catch {
    // A definition that cannot describe an empty object offers only the metadata fields.
  }
  return names;
}

export function makeSelection(def: ResourceDefinition, labelSelector?: string, fieldSelector?: string, known?: Set<string>): Selection {
  const labels = labelSelector ? parseLabelSelector(labelSelector) : undefined;
  const fields = fieldSelector ? parseFieldSelector(fieldSelector) : undefined;
  const names = fields?.requirements.length ? (known ?? selectableFieldNames(def)) : undefined;
  for (const r of fields?.requirements ?? []) if (!names!.has(r.field)) throw errors.badRequest(`field label not supported: ${r.field}`);
  const useLabels = labels && (labels.requirements.length > 0 || labels.nothing) ? labels : undefined;
  const useFields = fields && fields.requirements.length > 0 ? fields : undefined;
  if (!useLabels && !useFields) return { everything: true, matches: () => true };
  return {
    everything: false,
    matches(obj: KubeObject): boolean {
      if (useLabels && !matchesLabels(useLabels, obj.metadata?.labels)) return false;
      if (useFields && !matchesFields(useFields, fieldsOf(def, obj))) return false;
      return true;
    },
  };
}
