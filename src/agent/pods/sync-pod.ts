import type { Pod } from '../../api/kinds/index.js';
import { realClock } from '../../controller-runtime/clock/clock.js';
import { rpcErrorText } from '../runtime/rpc-error.js';
import { computePodStatus, isTerminalPhase } from '../status/compute-status.js';
import type { VolumePaths } from '../volumes/volume-manager.js';
import { VolumeSetupError } from '../volumes/projections.js';
import type { AgentDeps, SyncScratch } from './context.js';
import { computePodActions } from './pod-actions.js';
import { executePodActions } from './pod-actions-executor.js';
import { readPodRuntimeState, readySandbox, type PodRuntimeState } from '../runtime/pod-state.js';
import { sandboxConfig } from './sandbox-config.js';
import { ensurePodCgroup, podResourceConfig } from './pod-cgroup.js';
import { podCgroupParent } from '../runtime/cgroups.js';

/**
 * One level-triggered pass over a running pod (kubelet SyncPod): volumes, the sandbox (re-created
 * when it died, which restarts every container), then the containers as computePodActions decides
 * (pod-actions.ts) and executePodActions carries out. Always safe to run again: every decision comes
 * from the runtime's current state.
 */
export async function syncRunningPod(d: AgentDeps, s: SyncScratch, pod: Pod, initial: PodRuntimeState): Promise<void> {
  const uid = pod.metadata.uid!;
  let state = initial;

  let volumes: VolumePaths;
  try {
    volumes = await d.volumes.setup(pod);
  } catch (err) {
    if (!(err instanceof VolumeSetupError)) throw err;
    const what = err.volume === undefined ? '' : ` for volume "${err.volume}" :`;
    d.events.event(pod, 'Warning', 'FailedMount', `MountVolume.SetUp failed${what} ${err.message}`);
    s.wakeIn(2000);
    return;
  }

  // The sandbox.
  let sb = readySandbox(state);
  if (!sb) {
    const probe = computePodStatus({
      pod, runtime: state, readiness: new Map(), startup: new Map(), waiting: {}, hostIP: d.node.hostIP, now: new Date(),
    });
    if (state.containers.length > 0 && isTerminalPhase(probe.phase)) return; // nothing left to run
    for (const rc of state.containers) if (rc.state === 'CONTAINER_RUNNING') await d.runtime.stopContainer(rc.id, 0);
    const attempt = state.sandboxes.length ? Math.max(...state.sandboxes.map((x) => x.metadata.attempt)) + 1 : 0;
    if (state.sandboxes.length) d.events.event(pod, 'Normal', 'SandboxChanged', 'Pod sandbox changed, it will be killed and re-created.');
    try {
      ensurePodCgroup(podCgroupParent(uid, d.sandboxEnv.cgroupRoot), podResourceConfig(pod));
    } catch (err) {
      d.log.warn({ pod: `${pod.metadata.namespace}/${pod.metadata.name}`, err: String(err) }, 'pod cgroup setup failed');
    }
    // Failed creations back off (10 s doubling, as crash loops) whatever wakes the worker: each
    // failed RunPodSandbox leaves a sandbox behind, and the relist seeing it must not retry at once
    // (a CNI failure retried every relist leaked a network namespace per attempt).
    const sandboxKey = `${uid}/sandbox`;
    if (d.crashBackoff.inBackoffSinceUpdate(sandboxKey)) {
      s.wakeIn(d.crashBackoff.remainingSinceUpdate(sandboxKey) + 50);
      return;
    }
    let sandboxId: string;
    try {
      const handler = d.runtimeHandler ? await d.runtimeHandler(pod) : '';
      sandboxId = await d.runtime.runPodSandbox(sandboxConfig(pod, attempt, d.sandboxEnv), handler);
    } catch (err) {
      // The kubelet's words (SyncPod): "Failed to create pod sandbox: rpc error: code = ... desc = ...".
      d.events.event(pod, 'Warning', 'FailedCreatePodSandBox', `Failed to create pod sandbox: ${rpcErrorText(err)}`);
      d.crashBackoff.next(sandboxKey);
      s.wakeIn(d.crashBackoff.remainingSinceUpdate(sandboxKey) + 50);
      return;
    }
    d.crashBackoff.reset(sandboxKey);
    // A first start only needs the new sandbox's status; otherwise read everything again (the
    // containers of the old sandbox were just stopped).
    if (!state.sandboxes.length && !state.containers.length) {
      const created = await d.runtime.podSandboxStatus(sandboxId).catch(() => undefined);
      state = { ...state, sandboxes: created ? [created] : [] };
    } else {
      state = await readPodRuntimeState(d.runtime, uid, d.sandboxEnv.cgroupRoot);
    }
    sb = readySandbox(state);
    if (!sb) {
      s.wakeIn(1000);
      return;
    }
  }
  const actions = computePodActions({ pod, state, sandboxId: sb.id, probes: d.probes, backoff: d.crashBackoff, now: (d.clock ?? realClock).now() });
  await executePodActions(d, s, pod, state, sb, volumes, actions);
}
