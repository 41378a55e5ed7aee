import type { Container, Pod } from '../../api/kinds/index.js';
import { formatGoDuration } from '../../api/duration.js';
import { isSidecar } from '../../api/pod-sidecar.js';
import type { ProbeManager } from '../probes/probe-manager.js';
import { latestContainer, type PodRuntimeState, type RuntimeContainer } from '../runtime/pod-state.js';
import type { WaitingReason } from '../status/container-statuses.js';
import type { Backoff } from './backoff.js';
import { containerHash } from './container-config.js';

/**
 * What to do with the containers of a running pod whose sandbox is ready (kubelet
 * computePodActions, computeInitContainerActions): a pure decision over the runtime's current
 * state, the probe results and the crash back-off, carried out in order by executePodActions
 * (pod-actions-executor.ts). Init containers run one at a time in order; sidecars (restartable init
 * containers) are done for the init sequence once started and are kept running (restarted whatever
 * the restartPolicy) until no regular container will run again, when the whole pod is stopped
 * (kubelet: keepCount == 0 -> KillPod). Then every regular container: start the missing, restart
 * the exited per restartPolicy under CrashLoopBackOff, kill the ones failing liveness/startup or
 * whose spec changed. Sandboxes of earlier attempts go once everything was looked at.
 */

/** Which of the pod's lists a container comes from (the kubelet's container type annotation). */
export type ContainerType = 'init' | 'regular' | 'ephemeral';

export type PodAction =
  /** Start `container`; with `stopUnlessStarted`, the rest of the plan waits for the next sync when the start fails. */
  | { kind: 'start'; container: Container; type: ContainerType; restartCount: number; stopUnlessStarted?: boolean }
  /** Restart an exited container: record a retry of `backoffKey` (forgotten first with `resetBackoff`), start, then remove older exited containers of the name but `keepId`. */
  | { kind: 'restart'; container: Container; type: 'init' | 'regular'; restartCount: number; backoffKey: string; resetBackoff: boolean; keepId: string }
  | { kind: 'kill'; container: Container; running: RuntimeContainer; graceSeconds: number }
  /** Stop every container of the pod (sidecars once no regular container will run again). */
  | { kind: 'killPod' }
  | { kind: 'remove'; id: string }
  | { kind: 'removeSandbox'; id: string }
  | { kind: 'event'; type: 'Normal' | 'Warning'; reason: string; message: string }
  /** The container's waiting reason in the status; undefined clears it. */
  | { kind: 'waiting'; name: string; waiting?: WaitingReason }
  /** Ask for another sync in this many ms. */
  | { kind: 'wake'; ms: number };

export interface PodActionsInput {
  pod: Pod;
  state: PodRuntimeState;
  /** The ready sandbox the containers run in. */
  sandboxId: string;
  probes: Pick<ProbeManager, 'livenessFailure' | 'startupFailure' | 'startup'>;
  backoff: Pick<Backoff, 'inBackoffSince' | 'delay' | 'remaining'>;
  now: number;
}

/** How long a container must run before its crash back-off starts over. */
export const BACKOFF_RESET_MS = 10 * 60_000;

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

export function computePodActions(i: PodActionsInput): PodAction[] {
  const { pod, state, sandboxId } = i;
  const out: PodAction[] = [];
  const uid = pod.metadata.uid!;
  const grace = pod.spec?.terminationGracePeriodSeconds ?? 30;
  const start = (c: Container, type: 'init' | 'regular', stopUnlessStarted?: boolean): PodAction => ({
    kind: 'start', container: c, type, restartCount: nextRestartCount(pod, state, c.name), ...(stopUnlessStarted ? { stopUnlessStarted } : {}),
  });
  const kill = (c: Container, rc: RuntimeContainer, why: string) => {
    out.push({ kind: 'event', type: 'Normal', reason: 'Killing', message: why }, { kind: 'kill', container: c, running: rc, graceSeconds: grace }, { kind: 'wake', ms: 0 });
  };
  const removeUnstarted = (rc: RuntimeContainer) => out.push({ kind: 'remove', id: rc.id }, { kind: 'wake', ms: 0 });

  const restartWithBackoff = (c: Container, rc: RuntimeContainer, type: 'init' | 'regular') => {
    const key = `${uid}/${c.name}`;
    const finished = rc.finishedAt?.getTime() ?? i.now;
    const resetBackoff = !!rc.startedAt && finished - rc.startedAt.getTime() >= BACKOFF_RESET_MS;
    if (!resetBackoff && i.backoff.inBackoffSince(key, finished)) {
      const who = `${pod.metadata.name}_${pod.metadata.namespace}(${uid})`;
      out.push(
        { kind: 'waiting', name: c.name, waiting: { reason: 'CrashLoopBackOff', message: `back-off ${formatGoDuration(i.backoff.delay(key))} restarting failed container=${c.name} pod=${who}` } },
        { kind: 'event', type: 'Warning', reason: 'BackOff', message: `Back-off restarting failed container ${c.name} in pod ${who}` },
        { kind: 'wake', ms: i.backoff.remaining(key, finished) + 50 },
      );
      return;
    }
    out.push({ kind: 'restart', container: c, type, restartCount: nextRestartCount(pod, state, c.name), backoffKey: key, resetBackoff, keepId: rc.id });
  };

  const regular = pod.spec?.containers ?? [];
  const inits = pod.spec?.initContainers ?? [];
  const initialized = regular.some((c) => latestContainer(state, c.name, sandboxId));

  // Every regular container finished for good (restartPolicy Never/OnFailure): nothing keeps the
  // pod alive, so sidecars are not restarted but stopped with the pod. The status then turns
  // Succeeded or Failed.
  if (initialized && regular.length > 0 && regular.every((c) => finishedForGood(pod, latestContainer(state, c.name, sandboxId)))) {
    for (const c of [...inits, ...regular]) out.push({ kind: 'waiting', name: c.name });
    if (inits.some((ic) => isSidecar(ic) && latestContainer(state, ic.name, sandboxId)?.state === 'CONTAINER_RUNNING')) out.push({ kind: 'killPod' });
    return out;
  }

  // Ephemeral containers (kubelet SyncPod step 5, before init containers, so that one can debug a
  // pod whose init containers fail): each started once, in whichever sandbox, and never restarted.
  for (const ec of pod.spec?.ephemeralContainers ?? []) {
    if (!latestContainer(state, ec.name)) out.push({ kind: 'start', container: ec as Container, type: 'ephemeral', restartCount: 0 });
  }

  /** Keeps sidecar `ic` running; 'started' when it counts as started (running, startup probe passed). */
  const syncSidecar = (ic: Container, rc: RuntimeContainer | undefined): 'started' | 'starting' | 'not started' => {
    if (!rc) {
      // Without a startup probe a sidecar counts as started as soon as its start succeeds.
      out.push(start(ic, 'init', !initialized && !ic.startupProbe));
      return ic.startupProbe ? 'not started' : 'starting';
    }
    if (rc.state === 'CONTAINER_RUNNING') {
      out.push({ kind: 'waiting', name: ic.name });
      let why: string | undefined;
      if (i.probes.startupFailure(rc.id) !== undefined) why = `Init container ${ic.name} failed startup probe`;
      else if (rc.specHash && rc.specHash !== containerHash(ic)) why = `Init container ${ic.name} definition changed`;
      else if (i.probes.livenessFailure(rc.id) !== undefined) why = `Init container ${ic.name} failed liveness probe`;
      if (why) {
        kill(ic, rc, why);
        return 'not started';
      }
      return !ic.startupProbe || i.probes.startup.get(rc.id) === true ? 'started' : 'not started';
    }
    if (rc.state === 'CONTAINER_CREATED' || rc.state === 'CONTAINER_UNKNOWN') removeUnstarted(rc);
    else restartWithBackoff(ic, rc, 'init'); // exited: restarted whatever the pod's restartPolicy
    return 'not started';
  };

  // Init containers, in order, until one is not done; once the pod is initialized only the
  // sidecars among them still need anything.
  for (const ic of inits) {
    const rc = latestContainer(state, ic.name, sandboxId);
    if (isSidecar(ic)) {
      const started = syncSidecar(ic, rc);
      if (!initialized && started === 'not started') return out;
      continue;
    }
    if (initialized) continue;
    if (!rc) return [...out, start(ic, 'init')];
    if (rc.state === 'CONTAINER_RUNNING') return out;
    if (rc.state === 'CONTAINER_CREATED') {
      removeUnstarted(rc);
      return out;
    }
    if (rc.exitCode === 0) continue;
    if ((pod.spec?.restartPolicy ?? 'Always') === 'Never') return out; // the pod has failed
    restartWithBackoff(ic, rc, 'init');
    return out;
  }

  for (const c of regular) {
    const rc = latestContainer(state, c.name, sandboxId);
    if (!rc) out.push(start(c, 'regular'));
    else if (rc.state === 'CONTAINER_RUNNING') {
      out.push({ kind: 'waiting', name: c.name });
      let why: string | undefined;
      if (i.probes.livenessFailure(rc.id) !== undefined) why = `Container ${c.name} failed liveness probe, will be restarted`;
      else if (i.probes.startupFailure(rc.id) !== undefined) why = `Container ${c.name} failed startup probe, will be restarted`;
      else if (rc.specHash && rc.specHash !== containerHash(c)) why = `Container ${c.name} definition changed, will be restarted`;
      if (why) kill(c, rc, why);
    } else if (rc.state === 'CONTAINER_CREATED' || rc.state === 'CONTAINER_UNKNOWN') {
      removeUnstarted(rc); // created but never started (the agent stopped in between): start over
    } else if (!shouldRestart(pod, rc)) out.push({ kind: 'waiting', name: c.name });
    else restartWithBackoff(c, rc, 'regular');
  }

  // Sandboxes of earlier attempts go once the current one runs everything.
  for (const old of state.sandboxes) if (old.id !== sandboxId) out.push({ kind: 'removeSandbox', id: old.id });
  return out;
}
