import type { Container } from './kinds/index.js';

/**
 * Sidecar containers (KEP-753, GA in Kubernetes 1.33): an init container with `restartPolicy:
 * Always` is "restartable" (upstream podutil.IsRestartableInitContainer). It starts in init order,
 * counts as done once started (running, startupProbe passed), then keeps running beside the regular
 * containers, restarted whatever the pod's restartPolicy, and stops after them.
 */
export function isSidecar(c: Pick<Container, 'restartPolicy'> | undefined): boolean {
  return c?.restartPolicy === 'Always';
}
