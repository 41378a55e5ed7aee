/**
 * CustomResourceDefinitions (apiextensions-apiserver pkg/registry/customresourcedefinition): status
 * starts with the storage version in storedVersions, which keeps every storage version ever used;
 * the first delete only marks the CRD Terminating and adds the customresourcecleanup finalizer, which
 * the CRD registrar (src/apiserver/crd) removes once every custom object is gone.
 */
import type { KubeObject } from '../../../api/meta.js';
import type { Strategy } from './types.js';

export const CRD_CLEANUP_FINALIZER = 'customresourcecleanup.apiextensions.k8s.io';

function storageVersion(obj: KubeObject): string | undefined {
  const versions = Array.isArray(obj.spec?.versions) ? (obj.spec.versions as { name?: string; storage?: boolean }[]) : [];
  return versions.find((v) => v?.storage)?.name;
}

export const customResourceDefinitionStrategy: Strategy = {
  prepareForCreate(obj) {
    const v = storageVersion(obj);
    obj.status = { storedVersions: v ? [v] : [] };
  },
  prepareForUpdate(obj, old) {
    const stored: string[] = Array.isArray(old.status?.storedVersions) ? [...(old.status.storedVersions as string[])] : [];
    const v = storageVersion(obj);
    if (v && !stored.includes(v)) stored.push(v);
    obj.status = { ...(old.status ?? {}), storedVersions: stored };
  },
  deferDeletion(obj) {
    return !obj.metadata.deletionTimestamp;
  },
  markForDeletion(obj) {
    const fin = obj.metadata.finalizers ?? [];
    if (!fin.includes(CRD_CLEANUP_FINALIZER)) obj.metadata.finalizers = [...fin, CRD_CLEANUP_FINALIZER];
    const conditions = ((obj.status?.conditions ?? []) as { type: string }[]).filter((c) => c.type !== 'Terminating');
    conditions.push({ type: 'Terminating', status: 'True', lastTransitionTime: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'), reason: 'InstanceDeletionInProgress', message: 'CustomResource deletion is in progress' } as { type: string });
    obj.status = { ...(obj.status ?? {}), conditions };
  },
};
