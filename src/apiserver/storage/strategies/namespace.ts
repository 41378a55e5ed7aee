/**
 * Namespaces (pkg/registry/core/namespace): born Active with the `kubernetes` finalizer in
 * spec.finalizers; a delete only marks them Terminating, and they leave the store once
 * spec.finalizers is empty (emptied through namespaces/finalize by the namespace controller, then
 * on the next delete or finalize). default, kube-system and kube-public cannot be deleted.
 * PodSecurity labels are checked on write (admission/pod-security).
 */
import type { KubeObject } from '../../../api/meta.js';
import { failure } from '../../../api/status.js';
import type { Strategy } from './types.js';
import { cloneJson } from '../../../api/json-clone.js';
import { admitNamespace } from '../../admission/pod-security/storage-hooks.js';

export const NAMESPACE_FINALIZER = 'kubernetes';
const IMMORTAL = new Set(['default', 'kube-system', 'kube-public']);

function specFinalizers(obj: KubeObject): string[] {
  return Array.isArray(obj.spec?.finalizers) ? (obj.spec.finalizers as string[]) : [];
}

export const namespaceStrategy: Strategy = {
  validateAdmission: admitNamespace,
  prepareForCreate(obj) {
    obj.status = { phase: 'Active' };
    const fin = specFinalizers(obj);
    obj.spec = { ...(obj.spec ?? {}), finalizers: fin.includes(NAMESPACE_FINALIZER) ? fin : [...fin, NAMESPACE_FINALIZER] };
  },
  prepareForUpdate(obj, old) {
    // spec.finalizers changes only through namespaces/finalize.
    if (old.spec?.finalizers === undefined) {
      if (obj.spec) delete obj.spec.finalizers;
    } else {
      obj.spec = { ...(obj.spec ?? {}), finalizers: cloneJson(old.spec.finalizers) };
    }
  },
  prepareForStatusUpdate(obj, old) {
    if (old.metadata.deletionTimestamp) obj.status = { ...(obj.status ?? {}), phase: 'Terminating' };
  },
  checkDelete(obj) {
    const name = obj.metadata.name ?? '';
    if (IMMORTAL.has(name)) throw failure(403, 'Forbidden', `namespaces "${name}" is forbidden: this namespace may not be deleted`, { name, kind: 'namespaces' });
  },
  deferDeletion(obj) {
    return !obj.metadata.deletionTimestamp || specFinalizers(obj).length > 0;
  },
  markForDeletion(obj) {
    obj.status = { ...(obj.status ?? {}), phase: 'Terminating' };
  },
  canDeleteOnUpdate(obj) {
    return specFinalizers(obj).length === 0;
  },
};

/**
 * What namespaces/finalize (PUT) may change: spec.finalizers only, taken from the body. The
 * returned object goes through the normal update pipeline.
 */
export function finalizeNamespace(current: KubeObject, body: KubeObject): KubeObject {
  const next = cloneJson(current);
  const fin = Array.isArray(body.spec?.finalizers) ? cloneJson(body.spec.finalizers as string[]) : [];
  next.spec = { ...(next.spec ?? {}), finalizers: fin };
  if (body.metadata?.resourceVersion) next.metadata.resourceVersion = body.metadata.resourceVersion;
  return next;
}
