/**
 * The parts of apps/v1 ReplicaSet and core/v1 Pod the workload controllers (ReplicaSet, Deployment and
 * those to come) read and write, as plain
 * JSON shapes. These are views over `KubeObject`: the schemas in src/api/kinds stay the authority.
 */
import type { KubeObject, ObjectMeta } from '../../api/meta.js';
import type { LabelSelectorObject } from '../../api/selectors/index.js';

/** core/v1 PodTemplateSpec. The spec is passed through untouched. */
export interface PodTemplate {
  metadata?: Pick<ObjectMeta, 'labels' | 'annotations'> & Record<string, unknown>;
  spec?: Record<string, unknown>;
}

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastUpdateTime?: string;
  lastTransitionTime?: string;
}

export interface ReplicaSetStatus {
  replicas: number;
  fullyLabeledReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  observedGeneration?: number;
  conditions?: Condition[];
}

export interface ReplicaSet extends KubeObject {
  spec: {
    replicas?: number;
    minReadySeconds?: number;
    selector?: LabelSelectorObject;
    template?: PodTemplate;
  };
  status?: ReplicaSetStatus;
}

/** A pod as the controllers see it (spec and status stay loose). */
export type Pod = KubeObject;

/** `spec.replicas`, defaulting to 1 as the API does. */
export function specReplicas(obj: { spec?: { replicas?: number } }): number {
  return obj.spec?.replicas ?? 1;
}
