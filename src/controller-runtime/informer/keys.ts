/** Cache keys: `namespace/name` for namespaced objects, `name` for cluster-scoped ones (as client-go). */
import type { KubeObject } from '../../api/meta.js';

/** The request a reconciler receives: which object to look at. */
export interface ObjectKey {
  namespace?: string;
  name: string;
}

export function keyOf(obj: Pick<KubeObject, 'metadata'>): string {
  const { namespace, name } = obj.metadata;
  return namespace ? `${namespace}/${name}` : `${name}`;
}

export function keyString(k: ObjectKey): string {
  return k.namespace ? `${k.namespace}/${k.name}` : k.name;
}

export function parseKey(key: string): ObjectKey {
  const i = key.indexOf('/');
  return i < 0 ? { name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}
