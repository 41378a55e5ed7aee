/**
 * The generic operations over a schema tree and a JSON value: defaulting, structural validation
 * (types, enums, required, then each object's own validator), unknown-field detection and field
 * facts by path. All paths use Kubernetes notation (`spec.containers[0].image`).
 */
import type { FieldInfo } from '../resource.js';
import type { FieldError } from '../status.js';
import { child, fe, index } from './errors.js';
import type { Node, ObjectNode } from './types.js';

export function isPlainObject(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function clone<T>(v: T): T {
  return v === undefined ? v : structuredClone(v);
}

/** Fills static defaults, then runs object defaulters bottom-up. Mutates `value` in place. */
export function applyDefaults(node: Node, value: unknown): void {
  switch (node.type) {
    case 'object': {
      if (!isPlainObject(value)) return;
      for (const [k, p] of Object.entries(node.props as Record<string, Node>)) {
        if (value[k] == null && p.default !== undefined) value[k] = clone(p.default);
        if (value[k] != null) applyDefaults(p, value[k]);
      }
      node.defaulter?.(value);
      return;
    }
    case 'array':
      if (Array.isArray(value)) for (const item of value) applyDefaults(node.items, item);
      return;
    case 'map':
      if (isPlainObject(value)) for (const v of Object.values(value)) applyDefaults(node.values, v);
      return;
    default:
      return;
  }
}

function typeError(path: string, value: unknown, want: string): FieldError {
  return fe.typeInvalid(path, value, `${path} in body must be of type ${want}: ${JSON.stringify(typeof value === 'object' ? (Array.isArray(value) ? 'array' : 'object') : typeof value)}`);
}

/** Structural validation plus the validators attached to object nodes. `root` is handed to validators. */
export function validateNode(node: Node, value: unknown, path: string, root: unknown = value): FieldError[] {
  if (value === null || value === undefined) return [];
  switch (node.type) {
    case 'string':
      if (typeof value !== 'string') return [typeError(path, value, 'string')];
      if (node.enum && !node.enum.includes(value)) return [fe.notSupported(path, value, node.enum)];
      return [];
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value) ? [] : [typeError(path, value, 'integer')];
    case 'number':
      return typeof value === 'number' ? [] : [typeError(path, value, 'number')];
    case 'boolean':
      return typeof value === 'boolean' ? [] : [typeError(path, value, 'boolean')];
    case 'int-or-string':
      return (typeof value === 'number' && Number.isInteger(value)) || typeof value === 'string' ? [] : [typeError(path, value, 'integer or string')];
    case 'quantity':
      return typeof value === 'string' || typeof value === 'number' ? [] : [typeError(path, value, 'quantity')];
    case 'any':
      return [];
    case 'array': {
      if (!Array.isArray(value)) return [typeError(path, value, 'array')];
      const errs: FieldError[] = [];
      value.forEach((item, i) => errs.push(...validateNode(node.items, item, index(path, i), root)));
      return errs;
    }
    case 'map': {
      if (!isPlainObject(value)) return [typeError(path, value, 'object')];
      const errs: FieldError[] = [];
      for (const [k, v] of Object.entries(value)) errs.push(...validateNode(node.values, v, index(path, k), root));
      return errs;
    }
    case 'object':
      return validateObject(node, value, path, root);
  }
}

function validateObject(node: ObjectNode<any, any>, value: unknown, path: string, root: unknown): FieldError[] {
  if (!isPlainObject(value)) return [typeError(path, value, 'object')];
  const errs: FieldError[] = [];
  for (const r of node.required as string[]) {
    const v = value[r];
    if (v === undefined || v === null || v === '') errs.push(fe.required(child(path, r)));
  }
  for (const [k, p] of Object.entries(node.props as Record<string, Node>)) {
    errs.push(...validateNode(p, value[k], child(path, k), root));
  }
  if (errs.length === 0 && node.validator) errs.push(...node.validator(value, path, root));
  return errs;
}

/** Paths of fields present in `value` that the schema does not define. */
export function unknownFields(node: Node, value: unknown, path = ''): string[] {
  if (value === null || value === undefined) return [];
  switch (node.type) {
    case 'array':
      return Array.isArray(value) ? value.flatMap((item, i) => unknownFields(node.items, item, index(path, i))) : [];
    case 'map':
      return isPlainObject(value) ? Object.entries(value).flatMap(([k, v]) => unknownFields(node.values, v, index(path, k))) : [];
    case 'object': {
      if (!isPlainObject(value)) return [];
      const out: string[] = [];
      for (const [k, v] of Object.entries(value)) {
        const p = (node.props as Record<string, Node>)[k];
        if (p) out.push(...unknownFields(p, v, child(path, k)));
        else if (!node.preserveUnknown) out.push(child(path, k));
      }
      return out;
    }
    default:
      return [];
  }
}

/** The node at a path of field names (list indices and map keys dropped; map values via any key). */
export function nodeAt(node: Node, path: readonly string[]): Node | undefined {
  let cur: Node | undefined = node;
  for (const seg of path) {
    while (cur && cur.type === 'array') cur = cur.items;
    if (!cur) return undefined;
    if (cur.type === 'object') {
      const next: Node | undefined = (cur.props as Record<string, Node>)[seg];
      if (!next) return cur.preserveUnknown ? { type: 'any' } : undefined;
      cur = next;
    } else if (cur.type === 'map') {
      cur = cur.values;
    } else if (cur.type === 'any') {
      return cur;
    } else {
      return undefined;
    }
  }
  return cur;
}

/** Field facts for patching and apply, as resource.ts's FieldInfo. */
export function fieldInfo(node: Node, path: readonly string[]): FieldInfo | undefined {
  const n = nodeAt(node, path);
  if (!n) return undefined;
  switch (n.type) {
    case 'array':
      return {
        type: 'array',
        ...(n.patchMergeKey ? { patchMergeKey: n.patchMergeKey } : {}),
        ...(n.patchStrategy ? { patchStrategy: n.patchStrategy } : {}),
        ...(n.listType ? { listType: n.listType } : {}),
        ...(n.listMapKeys ? { listMapKeys: [...n.listMapKeys] } : {}),
      };
    case 'map':
      return { type: 'map', ...(n.mapType ? { mapType: n.mapType } : {}) };
    case 'object':
      return { type: 'object', ...(n.mapType ? { mapType: n.mapType } : {}), ...(n.patchStrategy ? { patchStrategy: n.patchStrategy } : {}) };
    default:
      return { type: n.type };
  }
}
