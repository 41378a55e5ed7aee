/**
 * A CRD version's JSONSchemaProps as a schema node of src/api/schema (the tree the built-in kinds use),
 * so that unknown-field detection (pruning), field facts for strategic merge and server-side apply
 * (x-kubernetes-list-type, list-map-keys, map-type) and the rest of the generic machinery work on custom
 * objects unchanged. The root gets apiVersion, kind and ObjectMeta's schema, as upstream's pruning
 * keeps those; so does every x-kubernetes-embedded-resource object.
 */
import { objectMetaSchema } from '../kinds/meta/object-meta.js';
import type { Node } from '../schema/types.js';
import { mapValues, type JSONSchemaProps } from './structural.js';

const STRING: Node = { type: 'string' };

export function toNode(s: JSONSchemaProps, root = false): Node {
  const base = s.description ? { description: s.description } : {};
  if (s['x-kubernetes-int-or-string']) return { type: 'int-or-string', ...base };
  const preserve = !!s['x-kubernetes-preserve-unknown-fields'];
  const embedded = !!s['x-kubernetes-embedded-resource'];
  switch (s.type) {
    case 'array':
      return {
        type: 'array', items: s.items ? toNode(s.items) : { type: 'any' }, ...base,
        ...(s['x-kubernetes-list-type'] ? { listType: s['x-kubernetes-list-type'] } : {}),
        ...(s['x-kubernetes-list-map-keys'] ? { listMapKeys: s['x-kubernetes-list-map-keys'] } : {}),
      } as Node;
    case 'string': return { type: 'string', ...base } as Node;
    case 'integer': return { type: 'integer', ...base } as Node;
    case 'number': return { type: 'number', ...base } as Node;
    case 'boolean': return { type: 'boolean', ...base } as Node;
    case 'object':
    case undefined: {
      const values = mapValues(s);
      if (values && !s.properties) return { type: 'map', values: toNode(values), ...base, ...(s['x-kubernetes-map-type'] ? { mapType: s['x-kubernetes-map-type'] } : {}) } as Node;
      if (s.type === undefined && !s.properties) return { type: 'any', ...base };
      const props: Record<string, Node> = {};
      for (const [k, p] of Object.entries(s.properties ?? {})) props[k] = toNode(p);
      if (root || embedded) Object.assign(props, { apiVersion: STRING, kind: STRING, metadata: objectMetaSchema });
      return {
        type: 'object', props, required: [], ...base,
        ...(preserve || s.additionalProperties === true ? { preserveUnknown: true } : {}),
        ...(s['x-kubernetes-map-type'] ? { mapType: s['x-kubernetes-map-type'] } : {}),
      } as Node;
    }
    default:
      return { type: 'any', ...base };
  }
}

/** Whether any default appears in the schema (structural schemas put them under properties, items and additionalProperties). */
export function schemaHasDefaults(s: JSONSchemaProps): boolean {
  if (s.default !== undefined) return true;
  if (Object.values(s.properties ?? {}).some((p) => schemaHasDefaults(p))) return true;
  if (s.items && !Array.isArray(s.items) && schemaHasDefaults(s.items)) return true;
  const values = mapValues(s);
  return !!values && schemaHasDefaults(values);
}

/**
 * Structural defaulting (apiextensions' schema/defaulting): a missing property, or a null one where
 * null is not allowed, takes its schema's default; then defaults apply inside what is there. Mutates.
 */
export function applySchemaDefaults(s: JSONSchemaProps, v: unknown): void {
  if (Array.isArray(v)) {
    if (s.items) for (const item of v) applySchemaDefaults(s.items, item);
    return;
  }
  if (typeof v !== 'object' || v === null) return;
  const obj = v as Record<string, unknown>;
  for (const [k, p] of Object.entries(s.properties ?? {})) {
    if ((obj[k] === undefined || (obj[k] === null && !p.nullable)) && p.default !== undefined) obj[k] = structuredClone(p.default);
    if (obj[k] !== undefined) applySchemaDefaults(p, obj[k]);
  }
  const values = mapValues(s);
  if (values) for (const k of Object.keys(obj)) if (!s.properties?.[k]) applySchemaDefaults(values, obj[k]);
}
