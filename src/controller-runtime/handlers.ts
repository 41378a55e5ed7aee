/**
 * Event handlers that turn informer events into controller keys: the object itself (`For`), its
 * controller owner (`Owns`, via ownerReferences), or an arbitrary mapping (`Watches`).
 */
import type { KubeObject } from '../api/meta.js';
import { parseApiVersion } from '../client/resource-ref.js';
import type { EventHandler } from './informer/shared-informer.js';
import { keyOf, type ObjectKey } from './informer/keys.js';

export type Enqueue = (key: ObjectKey | string) => void;

/** Only updates pass through predicates: adds and deletes always enqueue. */
export type UpdatePredicate = (oldObj: Readonly<KubeObject>, newObj: Readonly<KubeObject>) => boolean;

/** Skip updates that did not change metadata.generation (status-only writes). */
export const generationChanged: UpdatePredicate = (o, n) => o.metadata.generation !== n.metadata.generation;

/** Enqueue the object's own key. */
export function enqueueObject(enqueue: Enqueue, predicate?: UpdatePredicate): EventHandler<KubeObject> {
  return {
    onAdd: (o) => enqueue(keyOf(o)),
    onUpdate: (o, n) => {
      if (!predicate || predicate(o, n)) enqueue(keyOf(n));
    },
    onDelete: (o) => enqueue(keyOf(o)),
  };
}

/** The key of the object's controller owner of `ownerKind` in `ownerGroup`, if it has one. */
export function controllerOwnerKey(obj: Readonly<KubeObject>, ownerGroup: string, ownerKind: string): ObjectKey | undefined {
  const ref = obj.metadata.ownerReferences?.find((r) => r.controller);
  if (!ref || ref.kind !== ownerKind || parseApiVersion(ref.apiVersion).group !== ownerGroup) return undefined;
  return { namespace: obj.metadata.namespace, name: ref.name };
}

/** Enqueue the controller owner (old and new owner when an update changes it). */
export function enqueueOwner(enqueue: Enqueue, ownerGroup: string, ownerKind: string): EventHandler<KubeObject> {
  const one = (o: Readonly<KubeObject>) => {
    const k = controllerOwnerKey(o, ownerGroup, ownerKind);
    if (k) enqueue(k);
  };
  return {
    onAdd: one,
    onUpdate: (o, n) => {
      one(n);
      const before = controllerOwnerKey(o, ownerGroup, ownerKind);
      const after = controllerOwnerKey(n, ownerGroup, ownerKind);
      if (before && before.name !== after?.name) enqueue(before);
    },
    onDelete: one,
  };
}

/** Enqueue whatever `map` returns for the object (old and new on update). */
export function enqueueMapped(enqueue: Enqueue, map: (obj: Readonly<KubeObject>) => (ObjectKey | string)[]): EventHandler<KubeObject> {
  const all = (o: Readonly<KubeObject>) => {
    for (const k of map(o)) enqueue(k);
  };
  return { onAdd: all, onUpdate: (o, n) => { all(o); all(n); }, onDelete: all };
}
