/**
 * Objects are stored as JSON without `metadata.resourceVersion` (as etcd stores them for
 * Kubernetes): the resourceVersion is the store's modRevision, set on every read.
 */
import type { KubeObject } from '../../api/meta.js';
import { apiVersionOf } from '../../api/meta.js';
import type { ResourceDefinition } from '../../api/resource.js';
import type { KeyValue } from '../../store/types.js';
import { cloneJson } from '../../api/json-clone.js';
import { errors, StatusError } from '../../api/status.js';

/**
 * Largest stored object: etcd's default --max-request-bytes (1.5 MiB), enforced for every backend
 * so that no write path (a patch, a finalizer update) can store an object the etcd backend could
 * not, and no object grows without bound. Measured on the JSON we store (upstream measures its
 * protobuf, which is smaller: we refuse a little earlier).
 */
export const MAX_STORED_OBJECT_BYTES = 1536 * 1024;

/**
 * What kube-apiserver 1.32 answers when etcd refuses a value over its limit: the etcd error as a
 * plain 500 without a reason (ErrorToAPIStatus of a non-Status error), so kubectl prints
 * `Error from server: etcdserver: request is too large`.
 */
export function objectTooLarge(): StatusError {
  return new StatusError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'etcdserver: request is too large', code: 500 });
}

/**
 * The stored form; throws objectTooLarge() past MAX_STORED_OBJECT_BYTES, before anything is written.
 * A version served from another's storage (def.storageVersion) is converted to the stored version.
 */
export function encodeObject(obj: KubeObject, def?: Pick<ResourceDefinition, 'storageVersion'>): string {
  if (def?.storageVersion) obj = def.storageVersion.toStored(obj);
  const { resourceVersion: _rv, ...meta } = obj.metadata;
  // apiVersion, kind and metadata first, as Kubernetes prints them: the JSON of the object at a
  // revision is then this text with its resourceVersion put in front (objectJson).
  const { apiVersion, kind, metadata: _m, ...rest } = obj;
  const text = JSON.stringify({ apiVersion, kind, metadata: meta, ...rest });
  // Counting bytes costs a pass over the string: only when its length (a lower bound) could matter.
  if (text.length * 3 > MAX_STORED_OBJECT_BYTES && Buffer.byteLength(text) > MAX_STORED_OBJECT_BYTES) throw objectTooLarge();
  return text;
}

/**
 * A fresh object (safe to mutate) with apiVersion, kind and resourceVersion filled in, typed as
 * `def`'s kind: what is stored under a resource was validated against its schema when written.
 */
export function decodeObject<T extends KubeObject = KubeObject>(def: ResourceDefinition<T>, value: string, revision: number): T {
  let parsed = JSON.parse(value) as KubeObject;
  if (def.storageVersion) parsed = def.storageVersion.fromStored({ ...parsed, metadata: parsed.metadata ?? {} });
  def.defaultOnRead?.(parsed);
  const apiVersion = apiVersionOf(def.group, def.version);
  // apiVersion and kind first, as Kubernetes prints them.
  // resourceVersion first in metadata: the object's JSON is then the stored text with it spliced in.
  const obj: KubeObject = { apiVersion, kind: def.kind, ...parsed, metadata: { resourceVersion: String(revision), ...parsed.metadata } };
  obj.apiVersion = apiVersion;
  obj.kind = def.kind;
  obj.metadata.resourceVersion = String(revision);
  return obj as T;
}

/** JSON texts of objects, as their stored text with the revision spliced in (objectJson). */
const storedJson = new WeakMap<object, string>();
/** How encodeObject's text of each definition's objects starts. */
const heads = new WeakMap<ResourceDefinition, string>();

/**
 * Notes that `obj` is, and stays, the object `text` (encodeObject's) stored at `revision`, so that
 * its JSON is made from the text instead of serialising it again (the answer to a write and the
 * watch event of it, each a whole pod). Only for objects nobody mutates any more: a watch's shared
 * decoding, a write's result on its way to the response. Nothing is noted when the text does not
 * start as encodeObject writes `def`'s objects (another stored version, an older layout).
 */
export function noteStored(def: ResourceDefinition, obj: KubeObject, text: string, revision: number): void {
  // Another version's text, or one a read defaults: not the object's JSON.
  if (def.storageVersion || def.defaultOnRead) return;
  let head = heads.get(def);
  if (head === undefined) heads.set(def, (head = `{"apiVersion":${JSON.stringify(apiVersionOf(def.group, def.version))},"kind":${JSON.stringify(def.kind)},"metadata":{`));
  if (!text.startsWith(head) || obj.metadata.resourceVersion !== String(revision)) return;
  const rv = `"resourceVersion":${JSON.stringify(String(revision))}`;
  storedJson.set(obj, head + rv + (text[head.length] === '}' ? '' : ',') + text.slice(head.length));
}

/** `obj`'s JSON: the noted text (noteStored) or JSON.stringify. */
export function objectJson(obj: unknown): string {
  return (obj !== null && typeof obj === 'object' && storedJson.get(obj)) || JSON.stringify(obj);
}

export function decodeKv<T extends KubeObject = KubeObject>(def: ResourceDefinition<T>, kv: KeyValue): T {
  return decodeObject(def, kv.value, kv.modRevision);
}

/**
 * An object a storage returned, read as `def`'s kind, checked as upstream's `obj.(*api.Pod)` type
 * assertion is: the storage serving `def` decodes every object with def's apiVersion and kind
 * (decodeObject), so a mismatch is a wiring bug (a storage handed to the wrong reader) and fails as
 * an internal error instead of being read as the wrong kind.
 */
export function asKind<T extends KubeObject>(def: ResourceDefinition<T>, obj: KubeObject): T {
  const apiVersion = apiVersionOf(def.group, def.version);
  if (obj.kind !== def.kind || obj.apiVersion !== apiVersion) {
    throw errors.internal(`expected ${apiVersion} ${def.kind}, read ${obj.apiVersion} ${obj.kind}`);
  }
  return obj as T;
}

export function deepCopy<T>(v: T): T {
  return cloneJson(v);
}
