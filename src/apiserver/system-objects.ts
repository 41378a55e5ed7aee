/**
 * The server's own writes on start, as kube-apiserver's bootstrap post-start hooks: the system
 * namespaces (and, by the caller, the system PriorityClasses), each created unless it exists.
 */
import { cloneJson } from '../api/json-clone.js';
import type { KubeObject } from '../api/meta.js';
import { isStatusError } from './storage/errors.js';
import type { RequestContext, ResourceStorage } from './storage/types.js';

/** Namespaces every cluster has, created on start (as kube-apiserver's system namespaces controller). */
export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

/** Context for the server's own writes (system namespaces). */
export function systemContext(): RequestContext {
  return { user: 'system:apiserver', groups: ['system:masters'], dryRun: false, fieldValidation: 'Strict', fieldManager: 'bosun-apiserver', warnings: [] };
}

export async function ensureNamespaces(storage: ResourceStorage | undefined): Promise<void> {
  await ensureObjects(storage, SYSTEM_NAMESPACES.map((name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } })));
}

/** Create each object unless it exists (namespaces, system PriorityClasses: as upstream's bootstrap post-start hooks). */
export async function ensureObjects(storage: ResourceStorage | undefined, objects: readonly KubeObject[]): Promise<void> {
  if (!storage) return;
  for (const obj of objects) {
    try {
      await storage.create(systemContext(), undefined, cloneJson(obj));
    } catch (err) {
      if (!isStatusError(err, 409)) throw err;
    }
  }
}
