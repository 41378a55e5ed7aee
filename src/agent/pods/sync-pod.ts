import type { Container, Pod } from '../../api/kinds/index.js';
import { RuntimeError } from '../runtime/types.js';
import { computePodStatus, isTerminalPhase } from '../status/compute-status.js';
import type { VolumePaths } from '../volumes/volume-manager.js';
import { VolumeSetupError } from '../volumes/projections.js';
import { containerHash } from './container-config.js';
import type { AgentDeps, SyncScratch } from './context.js';
import { writeEtcHosts } from './etc-hosts.js';
import { killContainer, killPod, podGracePeriod } from './kill.js';
import { latestContainer, readPodRuntimeState, readySandbox, type PodRuntimeState, type RuntimeContainer } from '../runtime/pod-state.js';
import { sandboxConfig } from './sandbox-config.js';
import { startContainer } from './start-container.js';
import { ensurePodCgroup, podResourceConfig } from './pod-cgroup.js';
import { podCgroupParent } from '../runtime/cgroups.js';
import { terminationLogMount } from './termination-message.js';
import { isSidecar } from '../../api/pod-sidecar.js';

/**
 * One level-triggered pass over a running pod (kubelet SyncPod/computePodActions): volumes, the
 * sandbox (re-created when it died, which restarts every container), init containers one at a
 * time in order, then every regular container: start the missing, restart the exited per
 * restartPolicy under CrashLoopBackOff, kill the ones failing liveness/startup or whose spec
 * changed. Sidecars (restartable init containers) are done for the init sequence once started,
 * and are kept running (restarted whatever the restartPolicy) until no regular container will run
 * again, when the whole pod is stopped (kubelet computeInitContainerActions, and KillPod when
 * keepCount is 0). Always safe to run again: every decision comes from the runtime's current state.
 */

/** How long a container must run before its crash back-off starts over. */
const BACKOFF_RESET_MS = 10 * 60_000;

function shouldRestart(pod: Pod, rc: RuntimeContainer): boolean {
  const policy = pod.spec?.restartPolicy ?? 'Always';
  return policy === 'Always' || (policy === 'OnFailure' && rc.exitCode !== 0);
}

/** An exited regular container the restartPolicy will not restart. */
function finishedForGood(pod: Pod, rc: RuntimeContainer | undefined): boolean {
  return rc?.state === 'CONTAINER_EXITED' && !shouldRestart(pod, rc);
}

/** restartCount for a new container: one more than the last one of that name, wherever it was. */
function nextRestartCount(pod: Pod, state: PodRuntimeState, name: string): number {
  const prev = latestContainer(state, name);
  if (prev) return prev.restartCount + 1;
  const fromStatus = [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])].find((s) => s.name === name);
  return fromStatus?.containerID ? (fromStatus.restartCount ?? 0) + 1 : 0;
}

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
      sandboxId = await d.runtime.runPodSandbox(sandboxConfig(pod, attempt, d.sandboxEnv));
    } catch (err) {
      const msg = err instanceof RuntimeError ? err.message : String(err);
      d.events.event(pod, 'Warning', 'FailedCreatePodSandBox', `Failed to create pod sandbox: ${msg}`);
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
  const sbConfig = sandboxConfig(pod, sb.metadata.attempt, d.sandboxEnv);
  const podIP = sb.ip;
  const extraMounts = writeEtcHosts(d.volumes.podDir(uid), pod, podIP, d.sandboxEnv.clusterDomain);
  const start = (c: Container, type: 'init' | 'regular') => {
    const restartCount = nextRestartCount(pod, state, c.name);
    return startContainer(d, s, {
      pod, container: c, type, restartCount, sandboxId: sb!.id, sandboxConfig: sbConfig, podIP, volumes,
      extraMounts: [...extraMounts, terminationLogMount(d.volumes.podDir(uid), c, restartCount)],
    });
  };

  const restartWithBackoff = async (c: Container, rc: RuntimeContainer, type: 'init' | 'regular') => {
    const key = `${uid}/${c.name}`;
    const finished = rc.finishedAt?.getTime() ?? Date.now();
    if (rc.startedAt && finished - rc.startedAt.getTime() >= BACKOFF_RESET_MS) d.crashBackoff.reset(key);
    if (d.crashBackoff.inBackoffSince(key, finished)) {
      const delay = d.crashBackoff.delay(key) / 1000;
      const who = `${pod.metadata.name}_${pod.metadata.namespace}(${uid})`;
      s.waiting[c.name] = { reason: 'CrashLoopBackOff', message: `back-off ${delay}s restarting failed container=${c.name} pod=${who}` };
      d.events.event(pod, 'Warning', 'BackOff', `Back-off restarting failed container ${c.name} in pod ${who}`);
      s.wakeIn(d.crashBackoff.remaining(key, finished) + 50);
      return;
    }
    d.crashBackoff.next(key);
    if (await start(c, type)) await pruneOld(d, state, c.name, rc.id);
  };

  const regular = pod.spec?.containers ?? [];
  const inits = pod.spec?.initContainers ?? [];
  const initialized = regular.some((c) => latestContainer(state, c.name, sb!.id));

  // Every regular container finished for good (restartPolicy Never/OnFailure): nothing keeps the
  // pod alive, so sidecars are not restarted but stopped with the pod (kubelet: keepCount == 0 ->
  // KillPod, InitContainersToStart = nil). The status then turns Succeeded or Failed.
  if (initialized && regular.length > 0 && regular.every((c) => finishedForGood(pod, latestContainer(state, c.name, sb!.id)))) {
    for (const c of [...inits, ...regular]) delete s.waiting[c.name];
    if (inits.some((ic) => isSidecar(ic) && latestContainer(state, ic.name, sb!.id)?.state === 'CONTAINER_RUNNING')) {
      await killPod(d, pod, state, podGracePeriod(pod));
    }
    return;
  }

  /** Keeps sidecar `ic` running; true when it counts as started (running, startup probe passed). */
  const syncSidecar = async (ic: Container, rc: RuntimeContainer | undefined): Promise<boolean> => {
    if (!rc) return (await start(ic, 'init')) && !ic.startupProbe;
    if (rc.state === 'CONTAINER_RUNNING') {
      delete s.waiting[ic.name];
      let why: string | undefined;
      if (d.probes.startupFailure(rc.id) !== undefined) why = `Init container ${ic.name} failed startup probe`;
      else if (rc.specHash && rc.specHash !== containerHash(ic)) why = `Init container ${ic.name} definition changed`;
      else if (d.probes.livenessFailure(rc.id) !== undefined) why = `Init container ${ic.name} failed liveness probe`;
      if (why) {
        d.events.event(pod, 'Normal', 'Killing', why);
        await killContainer(d, pod, ic, rc, pod.spec?.terminationGracePeriodSeconds ?? 30, podIP);
        s.wakeIn(0);
        return false;
      }
      return !ic.startupProbe || d.probes.startup.get(rc.id) === true;
    }
    if (rc.state === 'CONTAINER_CREATED' || rc.state === 'CONTAINER_UNKNOWN') {
      await d.runtime.removeContainer(rc.id);
      s.wakeIn(0);
      return false;
    }
    await restartWithBackoff(ic, rc, 'init'); // exited: restarted whatever the pod's restartPolicy
    return false;
  };

  // Init containers, in order, until one is not done; once the pod is initialized only the
  // sidecars among them still need anything.
  for (const ic of inits) {
    const rc = latestContainer(state, ic.name, sb.id);
    if (isSidecar(ic)) {
      const started = await syncSidecar(ic, rc);
      if (!initialized && !started) return;
      continue;
    }
    if (initialized) continue;
    if (!rc) {
      await start(ic, 'init');
      return;
    }
    if (rc.state === 'CONTAINER_RUNNING') return;
    if (rc.state === 'CONTAINER_CREATED') {
      await d.runtime.removeContainer(rc.id);
      s.wakeIn(0);
      return;
    }
    if (rc.exitCode === 0) continue;
    if ((pod.spec?.restartPolicy ?? 'Always') === 'Never') return; // the pod has failed
    await restartWithBackoff(ic, rc, 'init');
    return;
  }

  for (const c of regular) {
    const rc = latestContainer(state, c.name, sb.id);
    if (!rc) {
      await start(c, 'regular');
      continue;
    }
    if (rc.state === 'CONTAINER_RUNNING') {
      delete s.waiting[c.name];
      const live = d.probes.livenessFailure(rc.id);
      const startup = d.probes.startupFailure(rc.id);
      let why: string | undefined;
      if (live !== undefined) why = `Container ${c.name} failed liveness probe, will be restarted`;
      else if (startup !== undefined) why = `Container ${c.name} failed startup probe, will be restarted`;
      else if (rc.specHash && rc.specHash !== containerHash(c)) why = `Container ${c.name} definition changed, will be restarted`;
      if (why) {
        d.events.event(pod, 'Normal', 'Killing', why);
        await killContainer(d, pod, c, rc, pod.spec?.terminationGracePeriodSeconds ?? 30, podIP);
        s.wakeIn(0);
      }
      continue;
    }
    if (rc.state === 'CONTAINER_CREATED' || rc.state === 'CONTAINER_UNKNOWN') {
      // Created but never started (the agent stopped in between): start over.
      await d.runtime.removeContainer(rc.id);
      s.wakeIn(0);
      continue;
    }
    if (!shouldRestart(pod, rc)) {
      delete s.waiting[c.name];
      continue;
    }
    await restartWithBackoff(c, rc, 'regular');
  }

  // Sandboxes of earlier attempts go once the current one runs everything.
  for (const old of state.sandboxes) {
    if (old.id === sb.id) continue;
    await d.runtime.stopPodSandbox(old.id);
    await d.runtime.removePodSandbox(old.id);
  }
}

/** Keeps the newest exited container of a name (for lastState) and removes older ones. */
async function pruneOld(d: AgentDeps, state: PodRuntimeState, name: string, keepId: string): Promise<void> {
  for (const c of state.containers) {
    if (c.name === name && c.id !== keepId && c.state === 'CONTAINER_EXITED') await d.runtime.removeContainer(c.id);
  }
}
