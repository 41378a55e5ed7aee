/**
 * apps/v1 Deployment as the deployment controller reads it, plus the annotation keys and condition
 * reasons `kubectl rollout` and `kubectl describe` rely on (upstream deployment_util.go).
 */
import type { Deployment as ApiDeployment, DeploymentSpec, DeploymentStatus } from '../../api/kinds/apps/deployment.js';

/** apps/v1 Deployment as the controller reads it: a stored one always has a spec (defaults filled by the API server). */
export type Deployment = ApiDeployment & { spec: DeploymentSpec };
export type { DeploymentStatus };

/** The label that makes each ReplicaSet's selector and pods unique to its template. */
export const POD_TEMPLATE_HASH_LABEL = 'pod-template-hash';

export const RevisionAnnotation = 'deployment.kubernetes.io/revision';
export const RevisionHistoryAnnotation = 'deployment.kubernetes.io/revision-history';
export const DesiredReplicasAnnotation = 'deployment.kubernetes.io/desired-replicas';
export const MaxReplicasAnnotation = 'deployment.kubernetes.io/max-replicas';
/** Upstream's limit on the revision-history annotation's length. */
export const MaxRevisionHistoryChars = 2000;

/** Condition reasons (upstream deploymentutil constants). */
export const Reasons = {
  ReplicaSetUpdated: 'ReplicaSetUpdated',
  FailedRSCreate: 'ReplicaSetCreateError',
  NewReplicaSetCreated: 'NewReplicaSetCreated',
  FoundNewReplicaSet: 'FoundNewReplicaSet',
  NewRSAvailable: 'NewReplicaSetAvailable',
  TimedOut: 'ProgressDeadlineExceeded',
  Paused: 'DeploymentPaused',
  Resumed: 'DeploymentResumed',
  MinimumReplicasAvailable: 'MinimumReplicasAvailable',
  MinimumReplicasUnavailable: 'MinimumReplicasUnavailable',
} as const;

/** spec.replicas with the API default (1). */
export const desiredReplicas = (d: Readonly<Deployment>): number => d.spec.replicas ?? 1;

export const isRollingUpdate = (d: Readonly<Deployment>): boolean => (d.spec.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';

/** Deadline set and not "infinite" (MaxInt32), as upstream HasProgressDeadline; the API defaults it to 600. */
export function hasProgressDeadline(d: Readonly<Deployment>): boolean {
  const s = d.spec.progressDeadlineSeconds ?? 600;
  return s !== 2147483647;
}

export const progressDeadlineSeconds = (d: Readonly<Deployment>): number => d.spec.progressDeadlineSeconds ?? 600;

/** revisionHistoryLimit with the apps/v1 default (10). */
export const revisionHistoryLimit = (d: Readonly<Deployment>): number => d.spec.revisionHistoryLimit ?? 10;
