import type { Container, ContainerStatus, Pod, PodCondition, PodPhase, PodStatus } from '../../api/kinds/index.js';
import type { PodRuntimeState, RuntimeContainer } from '../runtime/pod-state.js';
import { isSidecar } from '../../api/pod-sidecar.js';
import { containerStatusFor, type WaitingReason } from './container-statuses.js';
import { rfc3339 } from './time.js';

/**
 * The pod's status as a pure function of (pod, runtime state, probe results, waiting reasons):
 * kubelet's generateAPIPodStatus + getPhase + status/generate.go. Sidecars (restartable init
 * containers) count as initialized once started, count towards Ready/ContainersReady, count as
 * running for the phase but never as succeeded or failed. Table-tested in compute-status*.test.ts.
 */

export interface StatusInput {
  pod: Pod;
  runtime: Pick<PodRuntimeState, 'sandboxes' | 'containers'>;
  /** Readiness by container id (absent: not yet known, i.e. false when the container has a readiness probe). */
  readiness: ReadonlyMap<string, boolean>;
  /** Startup probe passed, by container id. */
  startup: ReadonlyMap<string, boolean>;
  /** Waiting reasons the pod worker set, by container name. */
  waiting: Readonly<Record<string, WaitingReason>>;
  hostIP: string;
  now: Date;
  /** The pod is being terminated (deleted): stopped containers make the phase Succeeded or Failed. */
  terminating?: boolean;
  /** activeDeadlineSeconds passed: the pod is Failed with reason DeadlineExceeded (kubelet's active deadline handler). */
  deadlineExceeded?: boolean;
  /** The eviction manager evicted the pod: Failed, reason Evicted, this message, and a DisruptionTarget condition (kubelet's evictPod). */
  evictedMessage?: string;
  runtimeName?: string;
}

export const DEADLINE_MESSAGE = 'Pod was active on the node longer than the specified deadline';

const TERMINAL = new Set(['Succeeded', 'Failed']);

export function isTerminalPhase(phase: string | undefined): boolean {
  return TERMINAL.has(phase ?? '');
}

/**
 * Container and ephemeral container statuses sorted by name in byte order, as the kubelet's
 * SortedContainerStatuses (not in spec order; init container statuses keep theirs).
 */
function byName(statuses: ContainerStatus[]): ContainerStatus[] {
  return [...statuses].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export function computePodStatus(i: StatusInput): PodStatus {
  const { pod } = i;
  const spec = pod.spec!;
  const restartPolicy = spec.restartPolicy ?? 'Always';
  const runtimeName = i.runtimeName ?? 'containerd';
  const sandbox = i.runtime.sandboxes[0];
  const sandboxReady = sandbox?.state === 'SANDBOX_READY';
  const history = (name: string): RuntimeContainer[] => i.runtime.containers.filter((c) => c.name === name);

  const inits = spec.initContainers ?? [];
  const regular = spec.containers ?? [];
  const anyRegularCreated = regular.some((c) => history(c.name).length > 0);
  const readyOf = (c: { name: string; readinessProbe?: unknown }) => (id: string) => (c.readinessProbe ? i.readiness.get(id) === true : true);
  const startedOf = (c: { name: string; startupProbe?: unknown }) => (id: string) => (c.startupProbe ? i.startup.get(id) === true : true);
  /** status/generate.go isInitContainerInitialized: a sidecar once started, others once exited 0. */
  const initInitialized = (c: (typeof inits)[number]) => {
    const l = history(c.name)[0];
    if (isSidecar(c)) return l?.state === 'CONTAINER_RUNNING' && startedOf(c)(l.id);
    return l?.state === 'CONTAINER_EXITED' && l.exitCode === 0;
  };
  const initDone = anyRegularCreated || inits.every(initInitialized);

  const initStatuses = inits.map((c) =>
    containerStatusFor({
      spec: c, history: history(c.name), waiting: i.waiting[c.name], defaultWaiting: 'PodInitializing',
      ready: readyOf(c), started: startedOf(c), runtimeName, init: true,
    }),
  );
  // convertToAPIContainerStatuses: a pod with init containers shows PodInitializing for every
  // container not yet created, also once its init containers are done (kubectl's STATUS column).
  const defaultWaiting = inits.length ? 'PodInitializing' : 'ContainerCreating';
  const statuses = regular.map((c) =>
    containerStatusFor({
      spec: c, history: history(c.name), waiting: i.waiting[c.name], defaultWaiting,
      ready: readyOf(c), started: startedOf(c), runtimeName, init: false,
    }),
  );

  // getPhase
  let phase: PodPhase;
  const initFailed = !anyRegularCreated && restartPolicy === 'Never' && inits.some((c) => {
    if (isSidecar(c)) return false;
    const l = history(c.name)[0];
    return l?.state === 'CONTAINER_EXITED' && l.exitCode !== 0;
  });
  let running = 0, waiting = 0, stopped = 0, succeeded = 0;
  // Sidecars: running ones keep the pod Running, not-yet-created ones keep it Pending; stopped ones
  // (exited, or waiting to restart) count for nothing (kubelet getPhase).
  inits.forEach((c, k) => {
    if (!isSidecar(c)) return;
    const st = initStatuses[k]!;
    if (st.state?.running) running++;
    else if (st.state?.waiting && !st.lastState?.terminated) waiting++;
  });
  for (const st of statuses) {
    if (st.state?.running) running++;
    else if (st.state?.terminated) {
      stopped++;
      if (st.state.terminated.exitCode === 0) succeeded++;
    } else if (st.state?.waiting) {
      // Waiting to restart: stopped, but never succeeded, whatever the last exit code (getPhase).
      if (st.lastState?.terminated) stopped++;
      else waiting++;
    }
  }
  if (isTerminalPhase(pod.status?.phase)) phase = pod.status!.phase as PodPhase; // terminal is forever
  else if (i.deadlineExceeded || i.evictedMessage !== undefined) phase = 'Failed';
  else if (initFailed) phase = 'Failed';
  else if (!initDone) phase = 'Pending';
  else if (waiting > 0) phase = i.terminating && running === 0 && stopped === 0 ? 'Failed' : 'Pending';
  else if (running > 0) phase = 'Running';
  else if (stopped > 0) {
    if (i.terminating) phase = stopped === succeeded ? 'Succeeded' : 'Failed';
    else if (restartPolicy === 'Always') phase = 'Running';
    else if (stopped === succeeded) phase = 'Succeeded';
    else if (restartPolicy === 'Never') phase = 'Failed';
    else phase = 'Running';
  } else phase = 'Pending';

  // Conditions
  const old = pod.status?.conditions ?? [];
  const cond = (type: string, ok: boolean, reason?: string, message?: string): PodCondition => {
    const status = ok ? 'True' : 'False';
    const prev = old.find((c) => c.type === type);
    const c: PodCondition = {
      type, status,
      lastTransitionTime: prev && prev.status === status ? prev.lastTransitionTime : rfc3339(i.now),
    };
    if (reason) c.reason = reason;
    if (message) c.message = message;
    return c;
  };
  const terminal = phase === 'Succeeded' || phase === 'Failed';
  const incomplete = inits.filter((c) => !initInitialized(c)).map((c) => c.name);
  // Sidecars first, then regular containers, as status/generate.go lists them.
  const unready = [...initStatuses.filter((s, k) => isSidecar(inits[k]) && !s.ready), ...statuses.filter((s) => !s.ready)].map((s) => s.name);
  const containersReady = unready.length === 0 && !terminal;
  // status/generate.go: a terminal pod's ContainersReady (and so Ready) is False with reason
  // PodCompleted or PodFailed and no message; otherwise ContainersNotReady names the unready.
  const [notReadyReason, notReadyMsg] = phase === 'Succeeded' ? ['PodCompleted'] : phase === 'Failed' ? ['PodFailed']
    : ['ContainersNotReady', `containers with unready status: [${unready.join(' ')}]`];
  // GeneratePodReadyCondition: every readiness gate not True, in spec order, joined by ", ".
  const gateMessages = (spec.readinessGates ?? []).flatMap((g) => {
    const c = old.find((x) => x.type === g.conditionType);
    if (!c) return [`corresponding condition of pod readiness gate "${g.conditionType}" does not exist.`];
    return c.status === 'True' ? [] : [`the status of pod readiness gate "${g.conditionType}" is not "True", but ${c.status}`];
  });
  const conditions: PodCondition[] = [
    cond('PodReadyToStartContainers', sandboxReady && !terminal),
    // A Succeeded pod's Initialized is True with reason PodCompleted (GeneratePodInitializedCondition).
    phase === 'Succeeded' ? cond('Initialized', true, 'PodCompleted')
      : initDone ? cond('Initialized', true) : cond('Initialized', false, 'ContainersNotInitialized', `containers with incomplete status: [${incomplete.join(' ')}]`),
    !containersReady ? cond('Ready', false, notReadyReason, notReadyMsg)
      : gateMessages.length ? cond('Ready', false, 'ReadinessGatesNotReady', gateMessages.join(', ')) : cond('Ready', true),
    containersReady ? cond('ContainersReady', true) : cond('ContainersReady', false, notReadyReason, notReadyMsg),
    cond('PodScheduled', true),
  ];
  // Conditions others own (readiness gates, DisruptionTarget) are kept as they are.
  const mine = new Set(conditions.map((c) => c.type));
  if (i.evictedMessage !== undefined && !old.some((c) => c.type === 'DisruptionTarget')) {
    conditions.push({ type: 'DisruptionTarget', status: 'True', reason: 'TerminationByKubelet', message: i.evictedMessage, lastTransitionTime: rfc3339(i.now) });
  }
  for (const c of old) if (!mine.has(c.type)) conditions.push(c);
  const podScheduled = old.find((c) => c.type === 'PodScheduled');
  if (podScheduled?.status === 'True') conditions[4] = podScheduled;

  // Host-network pods have the node's address (kubelet reports hostIP as their podIP).
  const podIP = spec.hostNetwork ? i.hostIP : (sandboxReady && sandbox?.ip) || pod.status?.podIP || '';
  const status: PodStatus = {
    phase,
    conditions,
    hostIP: i.hostIP,
    hostIPs: i.hostIP ? [{ ip: i.hostIP }] : [],
    startTime: pod.status?.startTime ?? rfc3339(i.now),
    containerStatuses: byName(statuses),
  };
  if (podIP) {
    status.podIP = podIP;
    status.podIPs = [{ ip: podIP }, ...(sandboxReady ? (sandbox?.additionalIps ?? []).map((ip) => ({ ip })) : [])];
  }
  if (inits.length) status.initContainerStatuses = initStatuses;
  // Ephemeral containers: never ready, no probes; they count for neither phase nor conditions.
  const ephemeral = spec.ephemeralContainers ?? [];
  if (ephemeral.length) {
    status.ephemeralContainerStatuses = byName(ephemeral.map((c) => containerStatusFor({
      spec: c as Container, history: history(c.name), waiting: i.waiting[c.name], defaultWaiting,
      ready: () => false, started: () => true, runtimeName, init: false,
    })));
  }
  if (i.evictedMessage !== undefined) {
    status.reason = 'Evicted';
    status.message = i.evictedMessage;
  } else if (i.deadlineExceeded) {
    status.reason = 'DeadlineExceeded';
    status.message = DEADLINE_MESSAGE;
  } else if (phase === pod.status?.phase) {
    // generateAPIPodStatus: the reason and message go with the phase, kept while it holds
    // (DeadlineExceeded, or what another writer set), dropped when it changes.
    if (pod.status.reason) status.reason = pod.status.reason;
    if (pod.status.message) status.message = pod.status.message;
  }
  return status;
}
