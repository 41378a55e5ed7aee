/**
 * A StatefulSet pod's identity and storage (upstream pkg/controller/statefulset/stateful_set_utils.go):
 * the name `<set>-<ordinal>`, hostname = name, subdomain = spec.serviceName, the pod-name and
 * pod-index labels, the controller-revision-hash label, and one claim per volumeClaimTemplate named
 * `<template>-<set>-<ordinal>` mounted in place of any template volume of the same name. Pure.
 */
import type { StatefulSet } from '../../api/kinds/apps/stateful-set.js';
import type { PersistentVolumeClaim } from '../../api/kinds/core/persistent-volume-claim.js';
import type { Pod } from '../../api/kinds/core/pod.js';
import { controllerRef, podFromTemplate } from '../../controller-runtime/workload/pod-template.js';

export const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';
/** apps.ControllerRevisionHashLabelKey: the revision a pod was made from. */
export const REVISION_LABEL = 'controller-revision-hash';

export function startOrdinal(set: Readonly<StatefulSet>): number {
  return set.spec?.ordinals?.start ?? 0;
}

/** [start, start+replicas): the ordinals the set should run. */
export function endOrdinal(set: Readonly<StatefulSet>): number {
  return startOrdinal(set) + (set.spec?.replicas ?? 1);
}

export function podName(set: Readonly<StatefulSet>, ordinal: number): string {
  return `${set.metadata.name}-${ordinal}`;
}

/** getParentNameAndOrdinal: the set name and ordinal a pod name encodes, or ordinal -1. */
export function parentAndOrdinal(pod: Readonly<Pod>): { parent: string; ordinal: number } {
  const m = /^(.*)-([0-9]+)$/.exec(pod.metadata.name ?? '');
  if (!m) return { parent: '', ordinal: -1 };
  const n = Number(m[2]);
  return { parent: m[1]!, ordinal: Number.isSafeInteger(n) && n <= 2 ** 31 - 1 ? n : -1 };
}

/** isMemberOf: named `<set>-<n>`. */
export function isMemberOf(set: Readonly<StatefulSet>, pod: Readonly<Pod>): boolean {
  return parentAndOrdinal(pod).parent === set.metadata.name;
}

export function claimName(set: Readonly<StatefulSet>, templateName: string, ordinal: number): string {
  return `${templateName}-${set.metadata.name}-${ordinal}`;
}

export function podRevision(pod: Readonly<Pod>): string {
  return pod.metadata.labels?.[REVISION_LABEL] ?? '';
}

/** getPersistentVolumeClaims: the claims of the pod at `ordinal`, keyed by template name. */
export function podClaims(set: Readonly<StatefulSet>, ordinal: number): Map<string, PersistentVolumeClaim> {
  const out = new Map<string, PersistentVolumeClaim>();
  const selectorLabels = set.spec?.selector?.matchLabels ?? {};
  for (const t of set.spec?.volumeClaimTemplates ?? []) {
    const name = t.metadata?.name ?? '';
    out.set(name, {
      apiVersion: 'v1', kind: 'PersistentVolumeClaim',
      metadata: {
        name: claimName(set, name, ordinal), namespace: set.metadata.namespace,
        labels: { ...t.metadata?.labels, ...selectorLabels },
        ...(t.metadata?.annotations ? { annotations: { ...t.metadata.annotations } } : {}),
      },
      spec: structuredClone(t.spec ?? {}),
    });
  }
  return out;
}

/** newStatefulSetPod: the pod at `ordinal` from `set`'s template, with identity, storage and revision. */
export function newStatefulSetPod(set: Readonly<StatefulSet>, ordinal: number, revision: string): Pod {
  const pod = podFromTemplate(set.spec?.template, set.metadata.name!, controllerRef(set, 'apps/v1', 'StatefulSet'));
  delete pod.metadata.generateName;
  pod.metadata.name = podName(set, ordinal);
  pod.metadata.namespace = set.metadata.namespace;
  pod.metadata.labels = { ...pod.metadata.labels, [POD_NAME_LABEL]: pod.metadata.name, [POD_INDEX_LABEL]: String(ordinal), [REVISION_LABEL]: revision };
  const spec = pod.spec!;
  spec.hostname = pod.metadata.name;
  if (set.spec?.serviceName) spec.subdomain = set.spec.serviceName;
  // updateStorage: claim volumes replace template volumes of the same name.
  const claims = podClaims(set, ordinal);
  const volumes = (spec.volumes ?? []).filter((v) => !claims.has(v.name));
  for (const [name, claim] of claims) volumes.push({ name, persistentVolumeClaim: { claimName: claim.metadata.name! } });
  if (volumes.length > 0) spec.volumes = volumes;
  return pod;
}

/** identityMatches (labels only: hostname and subdomain cannot change on a live pod). */
export function identityMatches(set: Readonly<StatefulSet>, pod: Readonly<Pod>): boolean {
  const { ordinal } = parentAndOrdinal(pod);
  return ordinal >= 0 && pod.metadata.namespace === set.metadata.namespace
    && pod.metadata.labels?.[POD_NAME_LABEL] === pod.metadata.name
    && pod.metadata.labels?.[POD_INDEX_LABEL] === String(ordinal);
}

/** The identity labels a pod lacks, as a merge patch body (updateIdentity). */
export function identityPatch(pod: Readonly<Pod>): { metadata: { resourceVersion?: string; labels: Record<string, string> } } {
  const { ordinal } = parentAndOrdinal(pod);
  return { metadata: { resourceVersion: pod.metadata.resourceVersion, labels: { [POD_NAME_LABEL]: pod.metadata.name!, [POD_INDEX_LABEL]: String(ordinal) } } };
}
