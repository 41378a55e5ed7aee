/**
 * OpenAPI v3 component schemas from a schema tree, shaped like kube-apiserver's /openapi/v3 output:
 * named objects become components referenced through `allOf: [{$ref}]` (so a field keeps its own
 * description), with the x-kubernetes-* extensions kubectl reads (group-version-kind, patch merge
 * keys and strategies, list types).
 */
import type { Node } from './types.js';

const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';

const BUILTIN_COMPONENTS: Record<string, Record<string, unknown>> = {
  [INT_OR_STRING]: {
    description: 'IntOrString is a type that can hold an int32 or a string.  When used in JSON or YAML marshalling and unmarshalling, it produces or consumes the inner type.  This allows you to have, for example, a JSON field that can accept a name or number.',
    type: 'string',
    format: 'int-or-string',
  },
  [QUANTITY]: {
    description: "Quantity is a fixed-point representation of a number. It provides convenient marshaling/unmarshaling in JSON and YAML, in addition to String() and AsInt64() accessors.\n\nThe serialization format is:\n\n``` <quantity>        ::= <signedNumber><suffix>\n```\n\nExamples: 100m (0.1), 1 (one), 1.5Gi, 500M.",
    type: 'string',
  },
};

export type Components = Record<string, Record<string, unknown>>;

function ref(name: string, description: string | undefined, dflt: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = { allOf: [{ $ref: `#/components/schemas/${name}` }] };
  if (dflt !== undefined) out.default = dflt;
  if (description) out.description = description;
  return out;
}

/** The schema of one node as used at a field; named objects are added to `components`. */
export function fieldSchema(node: Node, components: Components): Record<string, unknown> {
  const base: Record<string, unknown> = {};
  if (node.description) base.description = node.description;
  switch (node.type) {
    case 'string':
      return {
        ...base, type: 'string',
        ...(node.format ? { format: node.format } : {}),
        ...(node.enum ? { enum: [...node.enum] } : {}),
        ...(node.default !== undefined ? { default: node.default } : {}),
      };
    case 'integer':
      return { ...base, type: 'integer', format: node.format ?? 'int32', ...(node.default !== undefined ? { default: node.default } : {}) };
    case 'number':
      return { ...base, type: 'number', format: 'double' };
    case 'boolean':
      return { ...base, type: 'boolean', ...(node.default !== undefined ? { default: node.default } : {}) };
    case 'int-or-string':
      components[INT_OR_STRING] ??= BUILTIN_COMPONENTS[INT_OR_STRING];
      return ref(INT_OR_STRING, node.description, undefined);
    case 'quantity':
      components[QUANTITY] ??= BUILTIN_COMPONENTS[QUANTITY];
      return ref(QUANTITY, node.description, undefined);
    case 'any':
      return { ...base, type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
    case 'array':
      return {
        ...base, type: 'array', items: fieldSchema(node.items, components),
        ...(node.listMapKeys ? { 'x-kubernetes-list-map-keys': [...node.listMapKeys] } : {}),
        ...(node.listType ? { 'x-kubernetes-list-type': node.listType } : {}),
        ...(node.patchMergeKey ? { 'x-kubernetes-patch-merge-key': node.patchMergeKey } : {}),
        ...(node.patchStrategy ? { 'x-kubernetes-patch-strategy': node.patchStrategy } : {}),
      };
    case 'map':
      return { ...base, type: 'object', additionalProperties: fieldSchema(node.values, components), ...(node.mapType ? { 'x-kubernetes-map-type': node.mapType } : {}) };
    case 'object': {
      if (node.name) {
        if (!components[node.name]) {
          components[node.name] = {}; // reserve first: guards against cycles
          components[node.name] = objectSchema(node, components, node.typeDescription);
        }
        const r = ref(node.name, node.description, {});
        if (node.patchStrategy) r['x-kubernetes-patch-strategy'] = node.patchStrategy;
        return r;
      }
      const o = objectSchema(node, components, node.description);
      if (node.patchStrategy) o['x-kubernetes-patch-strategy'] = node.patchStrategy;
      return o;
    }
  }
}

function objectSchema(node: Extract<Node, { type: 'object' }>, components: Components, description: string | undefined): Record<string, unknown> {
  const props: Record<string, unknown> = {};
  for (const [k, p] of Object.entries(node.props as Record<string, Node>)) props[k] = fieldSchema(p, components);
  const out: Record<string, unknown> = {};
  if (description) out.description = description;
  out.type = 'object';
  if (Object.keys(props).length) out.properties = props;
  if (node.required.length) out.required = [...(node.required as string[])];
  if (node.preserveUnknown) out['x-kubernetes-preserve-unknown-fields'] = true;
  if (node.mapType) out['x-kubernetes-map-type'] = node.mapType;
  if (node.gvk) out['x-kubernetes-group-version-kind'] = node.gvk.map((g) => ({ group: g.group, kind: g.kind, version: g.version }));
  return out;
}

/** Every component a named root needs, keyed by definition name. */
export function componentsOf(root: Node): { definition: string; schemas: Components } {
  const schemas: Components = {};
  if (root.type !== 'object' || !root.name) throw new Error('componentsOf: root must be a named object');
  fieldSchema(root, schemas);
  return { definition: root.name, schemas };
}
