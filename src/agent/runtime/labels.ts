/**
 * Labels and annotations the agent puts on sandboxes and containers. They are the agent's only
 * durable memory: after a restart it rebuilds every pod's state from CRI listings filtered by them
 * (kubelet uses the same `io.kubernetes.*` keys, so crictl shows familiar names).
 */

/** Marks objects this agent manages; listings filter on it so foreign containers are never touched. */
export const LABEL_MANAGED = 'bosun.io/managed';
export const LABEL_POD_UID = 'io.kubernetes.pod.uid';
export const LABEL_POD_NAME = 'io.kubernetes.pod.name';
export const LABEL_POD_NAMESPACE = 'io.kubernetes.pod.namespace';
export const LABEL_CONTAINER_NAME = 'io.kubernetes.container.name';

/** Restart count of the container (kubelet's annotation): the container status `restartCount`. */
export const ANN_RESTART_COUNT = 'io.kubernetes.container.restartCount';
/** Hash of the container spec the container was made from; a different hash means "recreate". */
export const ANN_SPEC_HASH = 'io.kubernetes.container.hash';
/** `init` or `regular`. */
export const ANN_CONTAINER_TYPE = 'bosun.io/container-type';
/** The pod's terminationGracePeriodSeconds at creation, used when the pod object is gone. */
export const ANN_GRACE_PERIOD = 'io.kubernetes.pod.terminationGracePeriod';

export interface PodIdentity {
  uid: string;
  name: string;
  namespace: string;
}

/** Labels of a pod's sandbox. */
export function sandboxLabels(p: PodIdentity): Record<string, string> {
  return { [LABEL_MANAGED]: 'true', [LABEL_POD_UID]: p.uid, [LABEL_POD_NAME]: p.name, [LABEL_POD_NAMESPACE]: p.namespace };
}

/** Labels of one of the pod's containers. */
export function containerLabels(p: PodIdentity, containerName: string): Record<string, string> {
  return { ...sandboxLabels(p), [LABEL_CONTAINER_NAME]: containerName };
}
