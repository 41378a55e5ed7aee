/**
 * The generic operations over a schema tree and a JSON value: defaulting, structural validation
 * (types, enums, required, then each object's own validator), unknown-field detection and field
 * facts by path. All paths use Kubernetes notation (`spec.containers[0].image`).
 */
import type { FieldInfo } from '../resource.js';
import type { FieldError } from '../status.js';
import { child, fe, index } from './errors.js';
import type { Node, ObjectNode } from './types.js';
import { cloneJson } from '../json-clone.js';

export function isPlainObject(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function clone<T>(v: T): T {
  return v === undefined ? v : cloneJson(v);
}

/**
 * Fills static defaults, then runs object defaulters bottom-up. Mutates `value` in place. With
 * `rootKeys`, only those top-level fields are walked (the root's own defaulter still runs): a
 * /status write, whose other fields are the stored object's, already defaulted.
 */
export function applyDefaults(node: Node, value: unknown, rootKeys?: ReadonlySet<string>): void {
  switch (node.type) {
    case 'object': {
      if (!isPlainObject(value)) return;
      const props = node.props as Record<string, Node>;
      for (const k in props) {
        if (rootKeys && !rootKeys.has(k)) continue;
        const p = props[k]!;
        if (value[k] == null && p.default !== undefined) value[k] = clone(p.default);
        if (value[k] != null && canHoldDefaults(p)) applyDefaults(p, value[k]);
      }
      node.defaulter?.(value);
      return;
    }
    case 'array':
      if (Array.isArray(value) && canHoldDefaults(node.items)) for (const item of value) applyDefaults(node.items, item);
      return;
    case 'map':
      if (isPlainObject(value) && canHoldDefaults(node.values)) for (const k in value) applyDefaults(node.values, value[k]);
      return;
    default:
      return;
  }
}

/** Scalars have nothing inside to default (their own default is set by the parent object). */
function canHoldDefaults(node: Node): boolean {
  return node.type === 'object' || node.type === 'array' || node.type === 'map';
}

function typeError(path: string, value: unknown, want: string): FieldError {
  return fe.typeInvalid(path, value, `${path} in body must be of type ${want}: ${JSON.stringify(typeof value === 'object' ? (Array.isArray(value) ? 'array' : 'object') : typeof value)}`);
}

/** Structural validation plus the validators attached to object nodes. `root` is handed to validators. */
export function validateNode(node: Node, value: unknown, path: string, root: unknown = value): FieldError[] {
  const errs: FieldError[] = [];
  validateInto(node, value, path, root, errs);
  return errs;
}

/**
 * validateNode of an object on its top-level fields in `rootKeys` only (the root's required
 * fields and validator still apply): the other fields are the stored object's, validated when
 * they were written, as upstream's status strategies validate only metadata and status.
 */
export function validateRootKeys(node: ObjectNode<any, any>, value: unknown, rootKeys: ReadonlySet<string>): FieldError[] {
  const errs: FieldError[] = [];
  validateObject(node, value, '', value, errs, rootKeys);
  return errs;
}

// Errors go into one array and child paths are built only for present values: every write
// validates the whole object.
function validateInto(node: Node, value: unknown, path: string, root: unknown, errs: FieldError[]): void {
  if (value === null || value === undefined) return;
  switch (node.type) {
    case 'string':
      if (typeof value !== 'string') errs.push(typeError(path, value, 'string'));
      else if (node.enum && !node.enum.includes(value)) errs.push(fe.notSupported(path, value, node.enum));
      return;
    case 'integer':
      if (!(typeof value === 'number' && Number.isInteger(value))) errs.push(typeError(path, value, 'integer'));
      return;
    case 'number':
      if (typeof value !== 'number') errs.push(typeError(path, value, 'number'));
      return;
    case 'boolean':
      if (typeof value !== 'boolean') errs.push(typeError(path, value, 'boolean'));
      return;
    case 'int-or-string':
      if (!((typeof value === 'number' && Number.isInteger(value)) || typeof value === 'string')) errs.push(typeError(path, value, 'integer or string'));
      return;
    case 'quantity':
      if (typeof value !== 'string' && typeof value !== 'number') errs.push(typeError(path, value, 'quantity'));
      return;
    case 'any':
      return;
    case 'array':
      if (!Array.isArray(value)) {
        errs.push(typeError(path, value, 'array'));
        return;
      }
      for (let i = 0; i < value.length; i++) {
        if (value[i] !== null && value[i] !== undefined) validateInto(node.items, value[i], index(path, i), root, errs);
      }
      return;
    case 'map':
      if (!isPlainObject(value)) {
        errs.push(typeError(path, value, 'object'));
        return;
      }
      for (const k in value) {
        if (value[k] !== null && value[k] !== undefined) validateInto(node.values, value[k], index(path, k), root, errs);
      }
      return;
    case 'object':
      validateObject(node, value, path, root, errs);
      return;
  }
}

function validateObject(node: ObjectNode<any, any>, value: unknown, path: string, root: unknown, errs: FieldError[], rootKeys?: ReadonlySet<string>): void {
  if (!isPlainObject(value)) {
    errs.push(typeError(path, value, 'object'));
    return;
  }
  const before = errs.length;
  for (const r of node.required as string[]) {
    const v = value[r];
    if (v === undefined || v === null || v === '') errs.push(fe.required(child(path, r)));
  }
  const props = node.props as Record<string, Node>;
  for (const k in props) {
    if (rootKeys && !rootKeys.has(k)) continue;
    const v = value[k];
    if (v !== null && v !== undefined) validateInto(props[k]!, v, child(path, k), root, errs);
  }
  if (errs.length === before && node.validator) errs.push(...node.validator(value, path, root));
}

/**
 * Paths of the fields `node` does not define. With `holders`, also the object holding each one and
 * its key (same order), so a caller can delete exactly that field: a path string cannot name keys
 * that contain `.`, `[` or nothing at all.
 */
export function unknownFields(node: Node, value: unknown, path = '', holders?: UnknownFieldHolder[]): string[] {
  const out: string[] = [];
  collectUnknown(node, value, path, out, holders);
  return out;
}

/** The object holding an unknown field, and the field's key. */
export type UnknownFieldHolder = [Record<string, unknown>, string];

// Paths are joined only on the way down, one string per level: a whole Pod is walked on every
// write, and almost always nothing is unknown.
function collectUnknown(node: Node, value: unknown, path: string, out: string[], holders?: UnknownFieldHolder[]): void {
  if (value === null || value === undefined) return;
  switch (node.type) {
    case 'array':
      if (!Array.isArray(value) || !hasStructure(node.items)) return;
      for (let i = 0; i < value.length; i++) collectUnknown(node.items, value[i], index(path, i), out, holders);
      return;
    case 'map':
      if (!isPlainObject(value) || !hasStructure(node.values)) return;
      for (const k in value) collectUnknown(node.values, value[k], index(path, k), out, holders);
      return;
    case 'object': {
      if (!isPlainObject(value)) return;
      const props = node.props as Record<string, Node>;
      for (const k in value) {
        const p = props[k];
        if (p) {
          if (hasStructure(p)) collectUnknown(p, value[k], child(path, k), out, holders);
        } else if (!node.preserveUnknown) {
          out.push(child(path, k));
          holders?.push([value, k]);
        }
      }
      return;
    }
    default:
      return;
  }
}

/** Whether a value of this node can hold fields at all (scalars cannot hold unknown ones). */
function hasStructure(node: Node): boolean {
  return node.type === 'object' || node.type === 'array' || node.type === 'map';
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
