/**
 * Pods made from a controller's template (upstream GetPodFromTemplate): template labels, annotations
 * and finalizers, spec copied, `generateName` `<owner>-`, and a controller ownerReference with
 * blockOwnerDeletion so foreground deletion of the owner waits for its pods.
 */
import type { KubeObject, OwnerReference } from '../../api/meta.js';
import type { Pod } from '../../api/kinds/core/pod.js';
import type { PodSpec } from '../../api/kinds/core/pod-spec.js';
import type { PodTemplate } from './types.js';

/** The ownerReference a controller puts on what it creates (metav1.NewControllerRef). */
export function controllerRef(owner: Readonly<KubeObject>, apiVersion: string, kind: string): OwnerReference {
  return { apiVersion, kind, name: owner.metadata.name!, uid: owner.metadata.uid!, controller: true, blockOwnerDeletion: true };
}

/** A pod object ready to POST, always with a spec. `ownerName` gives the generateName prefix. */
export function podFromTemplate(template: Readonly<PodTemplate> | undefined, ownerName: string, ref: OwnerReference): Pod & { spec: PodSpec } {
  const meta = template?.metadata ?? {};
  const pod: Pod & { spec: PodSpec } = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: `${ownerName}-`,
      ...(meta.labels ? { labels: { ...meta.labels } } : {}),
      ...(meta.annotations ? { annotations: { ...meta.annotations } } : {}),
      ...(Array.isArray(meta.finalizers) ? { finalizers: [...meta.finalizers] } : {}),
      ownerReferences: [ref],
    },
    spec: structuredClone(template?.spec ?? ({} as PodSpec)),
  };
  return pod;
}
