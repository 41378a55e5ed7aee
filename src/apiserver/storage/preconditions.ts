/**
 * Storage preconditions (apiserver storage.Preconditions.Check), checked on the stored object read
 * inside a GuaranteedUpdate before the update function runs: a PUT's metadata.uid (upstream's
 * defaultUpdatedObjectInfo.Preconditions, for the object, /status and /scale alike) and the
 * uid/resourceVersion of a pods/binding Binding. A mismatch is the store's invalid-object error,
 * which InterpretUpdateError turns into 409 Conflict on the resource, the store error's text as
 * the reason: `Operation cannot be fulfilled on deployments.apps "web": StorageError: invalid
 * object, Code: 4, Key: <key>, ResourceVersion: 0, AdditionalErrorMsg: Precondition failed: UID in
 * precondition: X, UID in object meta: Y` (the key is this store's own).
 */
import type { KubeObject } from '../../api/meta.js';
import type { ResourceDefinition } from '../../api/resource.js';
import type { StatusError } from '../../api/status.js';
import { conflict } from './errors.js';

export interface StoragePreconditions {
  uid?: string;
  resourceVersion?: string;
}

/** The storage preconditions a PUT body sets: its metadata.uid. */
export function putPreconditions(body: unknown): StoragePreconditions | undefined {
  const uid = (body as KubeObject | null)?.metadata?.uid;
  return typeof uid === 'string' && uid ? { uid } : undefined;
}

/** Throws the 409 above when `obj` (stored under `key`) fails a precondition; empty ones are unset. */
export function checkPreconditions(def: ResourceDefinition, key: string, name: string, obj: KubeObject, pre: StoragePreconditions | undefined): void {
  if (pre?.uid && pre.uid !== obj.metadata.uid) {
    throw preconditionFailed(def, key, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${obj.metadata.uid ?? ''}`);
  }
  if (pre?.resourceVersion && pre.resourceVersion !== obj.metadata.resourceVersion) {
    throw preconditionFailed(def, key, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${obj.metadata.resourceVersion ?? ''}`);
  }
}

function preconditionFailed(def: ResourceDefinition, key: string, name: string, why: string): StatusError {
  return conflict(def, name, `StorageError: invalid object, Code: 4, Key: ${key}, ResourceVersion: 0, AdditionalErrorMsg: ${why}`);
}
