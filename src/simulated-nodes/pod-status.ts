/**
 * The status a simulated node reports for a pod it "runs": Running and Ready, every container
 * running (init containers completed), a fake pod IP. No containers exist; a readiness probe's
 * outcome is the UNREADY_ANNOTATION, restart policies are not simulated.
 */
import type { ContainerStatus, Pod, PodStatus } from '../api/kinds/index.js';
import { seconds } from './node-object.js';

const CONDITIONS = ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'] as const;

/**
 * A pod annotation that stands in for a failing readiness probe: `true` reports the pod Running but
 * not Ready (its containers unready), as a kubelet does while a probe fails; removing it makes the
 * pod Ready again. What e2e tests do by breaking a probe (e.g. moving the probed file away).
 */
export const UNREADY_ANNOTATION = 'pod.bosun.dev/simulated-unready';

/** Whether the pod's (simulated) readiness probe passes. */
export const probeReady = (pod: Readonly<Pod>): boolean => pod.metadata.annotations?.[UNREADY_ANNOTATION] !== 'true';

const READINESS = new Set(['Ready', 'ContainersReady']);

/** True when the pod already shows what `runningStatus` would write (so no write is needed). */
export function looksRunning(pod: Readonly<Pod>, podIP: string): boolean {
  const s = pod.status;
  if (s?.phase !== 'Running' || s.podIP !== podIP) return false;
  const ready = probeReady(pod) ? 'True' : 'False';
  return CONDITIONS.every((t) => s.conditions?.some((c) => c.type === t && c.status === (READINESS.has(t) ? ready : 'True')));
}

export function runningStatus(pod: Readonly<Pod>, podIP: string, hostIP: string, nowMs: number): PodStatus {
  const old = pod.status ?? {};
  const at = seconds(nowMs);
  const startTime = old.startTime ?? at;
  const ready = probeReady(pod);
  const conditions = CONDITIONS.map((type) => {
    const prev = old.conditions?.find((c) => c.type === type);
    const status = ready || !READINESS.has(type) ? 'True' : 'False';
    return { type, status, lastTransitionTime: prev?.status === status ? prev.lastTransitionTime : at };
  });
  const id = (name: string) => `simulated://${(pod.metadata.uid ?? '').slice(0, 8)}-${name}`;
  const prevStarted = (name: string) => old.containerStatuses?.find((c) => c.name === name)?.state?.running?.startedAt;
  const containerStatuses: ContainerStatus[] = (pod.spec?.containers ?? []).map((c) => ({
    name: c.name, image: c.image ?? '', imageID: `simulated://${c.image ?? ''}`, containerID: id(c.name),
    ready, started: true, restartCount: 0, state: { running: { startedAt: prevStarted(c.name) ?? at } },
  }));
  const initContainerStatuses: ContainerStatus[] = (pod.spec?.initContainers ?? []).map((c) => ({
    name: c.name, image: c.image ?? '', imageID: `simulated://${c.image ?? ''}`, containerID: id(c.name),
    ready: true, started: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: startTime, finishedAt: startTime, containerID: id(c.name) } },
  }));
  return {
    ...old, phase: 'Running', conditions, hostIP, hostIPs: [{ ip: hostIP }], podIP, podIPs: [{ ip: podIP }], startTime,
    containerStatuses, ...(initContainerStatuses.length > 0 ? { initContainerStatuses } : {}),
  } as PodStatus;
}

/** The fields `runningStatus` sets, for a merge patch of status (everything else stays as it is). */
export function runningStatusPatch(pod: Readonly<Pod>, podIP: string, hostIP: string, nowMs: number): Partial<PodStatus> {
  const { phase, conditions, hostIPs, podIPs, startTime, containerStatuses, initContainerStatuses } = runningStatus(pod, podIP, hostIP, nowMs);
  return { phase, conditions, hostIP, hostIPs, podIP, podIPs, startTime, containerStatuses, ...(initContainerStatuses ? { initContainerStatuses } : {}) };
}

/**
 * The status of a pod whose containers all exited with `exitCode` (0: Succeeded, Completed; else
 * Failed, Error), not Ready, every container terminated; `restarts` containers restarts before.
 */
export function terminatedStatusPatch(pod: Readonly<Pod>, nowMs: number, exitCode = 0, restarts = 0): Partial<PodStatus> {
  const at = seconds(nowMs);
  const old = pod.status ?? {};
  const reason = exitCode === 0 ? 'PodCompleted' : 'PodFailed';
  const conditions = (old.conditions ?? []).map((c) => (c.type === 'Ready' || c.type === 'ContainersReady' ? { ...c, status: 'False', reason, lastTransitionTime: at } : c));
  const containerStatuses = (old.containerStatuses ?? []).map((c) => ({
    ...c, ready: false, started: false, restartCount: (c.restartCount ?? 0) + restarts,
    state: { terminated: { exitCode, reason: exitCode === 0 ? 'Completed' : 'Error', startedAt: c.state?.running?.startedAt ?? at, finishedAt: at, containerID: c.containerID } },
  }));
  return { phase: exitCode === 0 ? 'Succeeded' : 'Failed', conditions, containerStatuses } as Partial<PodStatus>;
}

/** The status of a pod whose containers all exited 0. */
export const succeededStatusPatch = (pod: Readonly<Pod>, nowMs: number): Partial<PodStatus> => terminatedStatusPatch(pod, nowMs);

/** The first image of the pod's containers that is in `unpullable`, if any. */
export function unpullableImage(pod: Readonly<Pod>, unpullable: ReadonlySet<string>): string | undefined {
  if (unpullable.size === 0) return undefined;
  return [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].map((c) => c.image ?? '').find((i) => unpullable.has(i));
}

/** The status of a pod whose image cannot be pulled, as the kubelet's: Pending, not Ready, containers waiting in ErrImagePull. */
export function imagePullFailedPatch(pod: Readonly<Pod>, image: string, nowMs: number): Partial<PodStatus> {
  const at = seconds(nowMs);
  const conditions = ['PodScheduled', 'Initialized', 'Ready', 'ContainersReady'].map((type) => (type === 'PodScheduled' || type === 'Initialized'
    ? { type, status: 'True', lastTransitionTime: at }
    : { type, status: 'False', reason: 'ContainersNotReady', message: `containers with unready status: [${(pod.spec?.containers ?? []).map((c) => c.name).join(' ')}]`, lastTransitionTime: at }));
  const containerStatuses: ContainerStatus[] = (pod.spec?.containers ?? []).map((c) => ({
    name: c.name, image: c.image ?? '', imageID: '', ready: false, started: false, restartCount: 0,
    state: { waiting: c.image === image ? { reason: 'ErrImagePull', message: `failed to pull and unpack image "${image}": not found` } : { reason: 'PodInitializing' } },
  }));
  return { phase: 'Pending', conditions, startTime: pod.status?.startTime ?? at, containerStatuses } as Partial<PodStatus>;
}
