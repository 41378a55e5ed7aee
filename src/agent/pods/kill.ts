import type { Container, Pod } from '../../api/kinds/index.js';
import { removeCgroup, podCgroupParent } from '../runtime/cgroups.js';
import type { AgentDeps } from './context.js';
import { runHook } from './lifecycle-hooks.js';
import type { PodRuntimeState, RuntimeContainer } from '../runtime/pod-state.js';
import { TerminationOrder } from './termination-order.js';

/**
 * Stopping things (kubelet killContainer / killPod / pod cleanup): preStop hook first, then (when
 * killing a whole pod) waiting for the container's turn (sidecars last, see termination-order.ts),
 * then CRI StopContainer with what is left of the grace period (SIGTERM, then SIGKILL when it runs
 * out); and removal of everything a pod leaves on the node.
 */

/** Kubelet never gives a container less than this after its preStop hook. */
const MIN_GRACE_SECONDS = 2;

export function podGracePeriod(pod: Pod): number {
  return pod.metadata.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30;
}

export async function killContainer(
  d: AgentDeps, pod: Pod, spec: Container | undefined, rc: RuntimeContainer, graceSeconds: number, podIP: string,
  order?: TerminationOrder,
): Promise<void> {
  try {
    if (rc.state !== 'CONTAINER_RUNNING') {
      await d.runtime.stopContainer(rc.id, 0);
      return;
    }
    const t0 = Date.now();
    const preStop = spec?.lifecycle?.preStop;
    if (preStop && graceSeconds > 0) {
      const r = await runHook(preStop, d.runtime, rc.id, spec!, podIP, graceSeconds);
      if (!r.ok) {
        d.events.event(pod, 'Warning', 'FailedPreStopHook', `PreStopHook failed: ${r.output}`.trim());
      }
    }
    // As kubelet: the preStop hook runs at once, the wait for the container's turn comes after it.
    let waited = 0;
    if (order && graceSeconds > 0) {
      waited = await order.waitForTurn(rc.name, graceSeconds - Math.floor((Date.now() - t0) / 1000));
    }
    const used = Math.floor((Date.now() - t0) / 1000);
    const floor = preStop || waited > 0 ? MIN_GRACE_SECONDS : 1;
    const remaining = graceSeconds <= 0 ? 0 : Math.max(graceSeconds - used, floor);
    await d.runtime.stopContainer(rc.id, remaining);
  } finally {
    if (rc.state === 'CONTAINER_RUNNING') order?.containerTerminated(rc.name);
  }
}

/**
 * Stops every running container (each with its preStop hook; regular containers in parallel,
 * sidecars after them in reverse declaration order, all within `graceSeconds`) and every sandbox.
 */
export async function killPod(d: AgentDeps, pod: Pod, state: PodRuntimeState, graceSeconds: number): Promise<void> {
  const specs = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  const podIP = pod.status?.podIP ?? '';
  const running = state.containers.filter((c) => c.state === 'CONTAINER_RUNNING' || c.state === 'CONTAINER_CREATED');
  const order = new TerminationOrder(pod, new Set(running.filter((c) => c.state === 'CONTAINER_RUNNING').map((c) => c.name)));
  await Promise.all(
    running.map(async (rc) => {
      if (rc.state === 'CONTAINER_RUNNING') d.events.event(pod, 'Normal', 'Killing', `Stopping container ${rc.name}`);
      await killContainer(d, pod, specs.find((s) => s.name === rc.name), rc, graceSeconds, podIP, order);
    }),
  );
  for (const sb of state.sandboxes) if (sb.state === 'SANDBOX_READY') await d.runtime.stopPodSandbox(sb.id);
  d.probes.removePod(state.uid);
}

/** Removes containers, sandboxes, volumes and the pod cgroup: nothing of the pod stays on the node. */
export async function cleanupPod(d: AgentDeps, state: PodRuntimeState): Promise<void> {
  for (const c of state.containers) await d.runtime.removeContainer(c.id);
  for (const sb of state.sandboxes) {
    await d.runtime.stopPodSandbox(sb.id);
    await d.runtime.removePodSandbox(sb.id);
  }
  await d.volumes.teardown(state.uid);
  try {
    removeCgroup(podCgroupParent(state.uid, d.sandboxEnv.cgroupRoot));
  } catch (err) {
    d.log.warn({ uid: state.uid, err: String(err) }, 'pod cgroup removal failed');
  }
  d.crashBackoff.resetPrefix(`${state.uid}/`);
  d.images.forgetPod(state.uid);
  d.probes.removePod(state.uid);
}
