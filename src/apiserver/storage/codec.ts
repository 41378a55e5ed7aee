/**
 * Objects are stored as JSON without `metadata.resourceVersion` (as etcd stores them for
 * Kubernetes): the resourceVersion is the store's modRevision, set on every read.
 */
import type { KubeObject } from '../../api/meta.js';
import { apiVersionOf } from '../../api/meta.js';
import type { ResourceDefinition } from '../../api/resource.js';
import type { KeyValue } from '../../store/types.js';
import { cloneJson } from '../../api/json-clone.js';

export function encodeObject(obj: KubeObject): string {
  const { resourceVersion: _rv, ...meta } = obj.metadata;
  return JSON.stringify({ ...obj, metadata: meta });
}

/** A fresh object (safe to mutate) with apiVersion, kind and resourceVersion filled in. */
export function decodeObject(def: ResourceDefinition, value: string, revision: number): KubeObject {
  const parsed = JSON.parse(value) as KubeObject;
  const apiVersion = apiVersionOf(def.group, def.version);
  // apiVersion and kind first, as Kubernetes prints them.
  const obj: KubeObject = { apiVersion, kind: def.kind, ...parsed, metadata: parsed.metadata ?? {} };
  obj.apiVersion = apiVersion;
  obj.kind = def.kind;
  obj.metadata.resourceVersion = String(revision);
  return obj;
}

export function decodeKv(def: ResourceDefinition, kv: KeyValue): KubeObject {
  return decodeObject(def, kv.value, kv.modRevision);
}

export function deepCopy<T>(v: T): T {
  return cloneJson(v);
}
