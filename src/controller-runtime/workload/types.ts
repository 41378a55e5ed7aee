/**
 * The workload controllers' views of the kinds they share: each is the src/api/kinds type (the
 * schema is the authority), narrowed where a stored object always has a field (a spec).
 */
import type { PodTemplateSpec } from '../../api/kinds/core/pod-spec.js';
import type { DeploymentCondition } from '../../api/kinds/apps/deployment.js';
import type { ReplicaSet as ApiReplicaSet, ReplicaSetSpec, ReplicaSetStatus } from '../../api/kinds/apps/replica-set.js';

/** core/v1 PodTemplateSpec. */
export type PodTemplate = PodTemplateSpec;

/** A Deployment's, ReplicaSet's or StatefulSet's condition (src/api/kinds/apps/common.ts). */
export type Condition = DeploymentCondition;

/** apps/v1 ReplicaSet as the workload controllers read it: a stored one always has a spec. */
export type ReplicaSet = ApiReplicaSet & { spec: ReplicaSetSpec };
export type { ReplicaSetStatus };

/** `spec.replicas`, defaulting to 1 as the API does. */
export function specReplicas(obj: { spec?: { replicas?: number } }): number {
  return obj.spec?.replicas ?? 1;
}
