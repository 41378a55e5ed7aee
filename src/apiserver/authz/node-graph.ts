/**
 * The node authorizer's relationships (upstream plugin/pkg/auth/authorizer/node/graph.go), answered
 * from the store when asked rather than kept as a graph: an object is related to node N when a pod
 * bound to N (spec.nodeName) references it, directly (secret, configmap, PVC, service account) or,
 * for a PersistentVolume, through a PVC bound to it. Reading at request time has no informer lag:
 * a node sees an object as soon as its pod is bound, and loses it as soon as the pod is deleted.
 * The in-memory index of pod-reference-index.ts answers the common "yes" at once (a few µs); a
 * "no", and every PV, is confirmed against the store: one list of the namespace's pods on the node
 * (all namespaces for PVs), ~190 ms with 5,000 pods in the namespace.
 */
import { podReferences, type PodLike, type PodReferences } from '../../api/pod-references.js';
import type { RequestContext, ResourceStorage } from '../storage/types.js';
import type { PodReferenceIndex } from './pod-reference-index.js';

/** The kinds whose access is decided by a relationship to the node. */
export type RelatedKind = 'secrets' | 'configmaps' | 'persistentvolumeclaims' | 'persistentvolumes' | 'serviceaccounts';

export interface NodeGraphDeps {
  pods: () => ResourceStorage | undefined;
  persistentVolumeClaims: () => ResourceStorage | undefined;
  /** The fast path for everything but PVs (positive answers only). */
  index?: PodReferenceIndex;
}

const lookupContext = (): RequestContext => ({
  user: 'system:apiserver', groups: ['system:masters'], dryRun: false, fieldValidation: 'Ignore', warnings: [],
});

const setOf: Record<Exclude<RelatedKind, 'persistentvolumes'>, keyof PodReferences> = {
  secrets: 'secrets', configmaps: 'configMaps', persistentvolumeclaims: 'persistentVolumeClaims', serviceaccounts: 'serviceAccounts',
};

async function podsOn(deps: NodeGraphDeps, node: string, namespace: string | undefined): Promise<PodLike[]> {
  const pods = deps.pods();
  if (!pods) return [];
  const list = await pods.list(lookupContext(), namespace, { fieldSelector: `spec.nodeName=${node}` });
  return list.items as PodLike[];
}

/** Whether `kind` `namespace/name` is related to `node` (see the file comment). */
export async function relatedToNode(deps: NodeGraphDeps, node: string, kind: RelatedKind, namespace: string | undefined, name: string): Promise<boolean> {
  if (kind !== 'persistentvolumes') {
    if (!namespace) return false;
    if (deps.index?.has(node, kind, namespace, name)) return true;
    const field = setOf[kind];
    return (await podsOn(deps, node, namespace)).some((p) => podReferences(p)[field].has(name));
  }
  // node <- pod <- pvc <- pv: the claims of the node's pods, bound to this volume.
  const claims = deps.persistentVolumeClaims();
  if (!claims) return false;
  for (const pod of await podsOn(deps, node, undefined)) {
    const ns = (pod as { metadata?: { namespace?: string } }).metadata?.namespace;
    for (const claim of podReferences(pod).persistentVolumeClaims) {
      try {
        const pvc = (await claims.get(lookupContext(), ns, claim)) as { spec?: { volumeName?: string } };
        if (pvc.spec?.volumeName === name) return true;
      } catch (err) {
        if ((err as { code?: number }).code !== 404) throw err;
      }
    }
  }
  return false;
}
