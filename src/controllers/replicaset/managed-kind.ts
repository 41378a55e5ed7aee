/**
 * The kind a replica manager runs for. Upstream's ReplicationManager is the ReplicaSet controller
 * run for v1 ReplicationControllers (pkg/controller/replication: the same syncReplicaSet over
 * converted objects, its own name and event source "replication-controller"); here the one
 * controller takes the kind's ref, owner-reference identity and how to read its selector
 * (apps/v1 LabelSelector, or v1's plain label map).
 */
import type { KubeObject } from '../../api/meta.js';
import type { LabelSelectorObject } from '../../api/selectors/index.js';
import { resources, type ResourceRef } from '../../client/resource-ref.js';

export interface ManagedKind {
  ref: ResourceRef;
  group: string;
  apiVersion: string;
  kind: string;
  /** Controller name (workqueue, logs) and the event source. */
  controllerName: string;
  eventSource: string;
  selectorOf(obj: Readonly<KubeObject>): LabelSelectorObject | undefined;
}

export const replicaSetKind: ManagedKind = {
  ref: resources.replicasets as ResourceRef, group: 'apps', apiVersion: 'apps/v1', kind: 'ReplicaSet',
  controllerName: 'replicaset', eventSource: 'replicaset-controller',
  selectorOf: (obj) => (obj as { spec?: { selector?: LabelSelectorObject } }).spec?.selector,
};

export const replicationControllerKind: ManagedKind = {
  ref: resources.replicationcontrollers as ResourceRef, group: '', apiVersion: 'v1', kind: 'ReplicationController',
  controllerName: 'replicationcontroller', eventSource: 'replication-controller',
  // v1 selectors are label maps (Convert_v1_ReplicationControllerSpec_To_apps_ReplicaSetSpec: matchLabels).
  selectorOf: (obj) => {
    const sel = (obj as { spec?: { selector?: Record<string, string> } }).spec?.selector;
    return sel && Object.keys(sel).length > 0 ? { matchLabels: { ...sel } } : undefined;
  },
};
