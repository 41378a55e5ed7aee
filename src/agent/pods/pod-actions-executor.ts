import type { Container, Pod } from '../../api/kinds/index.js';
import type { PodRuntimeState } from '../runtime/pod-state.js';
import type { PodSandboxStatus } from '../runtime/types.js';
import type { VolumePaths } from '../volumes/volume-manager.js';
import type { AgentDeps, SyncScratch } from './context.js';
import { writeEtcHosts } from './etc-hosts.js';
import { killContainer, killPod, podGracePeriod } from './kill.js';
import type { ContainerType, PodAction } from './pod-actions.js';
import { latestContainer } from '../runtime/pod-state.js';
import { sandboxConfig } from './sandbox-config.js';
import { startContainer } from './start-container.js';
import { terminationLogMount } from './termination-message.js';

/**
 * Carries out computePodActions' plan against the runtime, in order. A start marked
 * stopUnlessStarted that fails (image pull, config error...) ends the pass: what follows it waits
 * for the next sync, as a sidecar must run before the init containers after it.
 */
export async function executePodActions(
  d: AgentDeps, s: SyncScratch, pod: Pod, state: PodRuntimeState, sb: PodSandboxStatus, volumes: VolumePaths, actions: readonly PodAction[],
): Promise<void> {
  const uid = pod.metadata.uid!;
  const sbConfig = sandboxConfig(pod, sb.metadata.attempt, d.sandboxEnv);
  const podIP = sb.ip;
  const extraMounts = writeEtcHosts(d.volumes.podDir(uid), pod, podIP, d.sandboxEnv.clusterDomain);
  const start = (c: Container, type: ContainerType, restartCount: number) => startContainer(d, s, {
    pod, container: c, type, restartCount, sandboxId: sb.id, sandboxConfig: sbConfig, podIP, volumes, pidTargetId: pidTarget(state, sb.id, c, type),
    extraMounts: [...extraMounts, terminationLogMount(d.volumes.podDir(uid), c, restartCount)],
  });

  for (const a of actions) {
    switch (a.kind) {
      case 'start':
        if (!(await start(a.container, a.type, a.restartCount)) && a.stopUnlessStarted) return;
        break;
      case 'restart':
        if (a.resetBackoff) d.crashBackoff.reset(a.backoffKey);
        d.crashBackoff.next(a.backoffKey);
        if (await start(a.container, a.type, a.restartCount)) await pruneOld(d, state, a.container.name, a.keepId);
        break;
      case 'kill':
        await killContainer(d, pod, a.container, a.running, a.graceSeconds, podIP);
        break;
      case 'killPod':
        await killPod(d, pod, state, podGracePeriod(pod));
        break;
      case 'remove':
        await d.runtime.removeContainer(a.id);
        break;
      case 'removeSandbox':
        await d.runtime.stopPodSandbox(a.id);
        await d.runtime.removePodSandbox(a.id);
        break;
      case 'event':
        d.events.event(pod, a.type, a.reason, a.message);
        break;
      case 'waiting':
        if (a.waiting) s.waiting[a.name] = a.waiting;
        else delete s.waiting[a.name];
        break;
      case 'wake':
        s.wakeIn(a.ms);
        break;
    }
  }
}

/**
 * An ephemeral container's targetContainerName: the id of that container in this sandbox, whose PID
 * namespace it joins (the kubelet's getTargetID; the target missing, it gets the pod's own).
 */
function pidTarget(state: PodRuntimeState, sandboxId: string, c: Container, type: ContainerType): string | undefined {
  const target = type === 'ephemeral' ? (c as { targetContainerName?: string }).targetContainerName : undefined;
  return target ? latestContainer(state, target, sandboxId)?.id : undefined;
}

/** Keeps the newest exited container of a name (for lastState) and removes older ones. */
async function pruneOld(d: AgentDeps, state: PodRuntimeState, name: string, keepId: string): Promise<void> {
  for (const c of state.containers) {
    if (c.name === name && c.id !== keepId && c.state === 'CONTAINER_EXITED') await d.runtime.removeContainer(c.id);
  }
}
